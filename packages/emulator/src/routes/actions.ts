/** fm models/action/action.go `TypeListAll` and actionhandler `ValidateActions`. */
import { ACTION_TYPES } from '@voipbin-kit/core';
import { errors } from '../errors.ts';

/**
 * The 43 action types `ValidateActions` accepts (fm models/action/action.go `TypeListAll`, at
 * 2bf22fa): core's 44, which are the types the file defines (checked against it by core's
 * option-go test), but `empty` (`TypeEmpty`), which the list leaves out, so it is refused.
 */
export const VOIPBIN_ACTION_TYPES = ACTION_TYPES.filter((type) => type !== 'empty');

const KNOWN = new Set<string>(VOIPBIN_ACTION_TYPES);

/** fm models/action/option.go `validAnonymousValues`: `""` is auto. */
const ANONYMOUS = new Set(['', 'yes', 'no', 'auto']);

/**
 * fm pkg/actionhandler/action.go `ValidateActions` (lines 20-71), action by action: 400
 * `INVALID_ACTION_TYPE` for a type VoIPBIN does not have, 400 `INVALID_ANONYMOUS_VALUE` for a
 * `call` or `connect` whose `option.anonymous` is a string outside yes/no/auto. An `anonymous`
 * that is not a string fails Go's decoding of the option, and VoIPBIN then skips the check (it
 * skips it too when another field of the option fails to decode: not modelled).
 */
export function validateActions(
  actions: readonly { type: string; option?: Record<string, unknown> }[],
): void {
  for (const action of actions) {
    if (!KNOWN.has(action.type)) throw errors.invalidActionType(action.type);
    if (action.type !== 'call' && action.type !== 'connect') continue;
    const anonymous = action.option?.anonymous;
    if (typeof anonymous === 'string' && !ANONYMOUS.has(anonymous)) {
      throw errors.invalidAnonymousValue(action.type, anonymous);
    }
  }
}
