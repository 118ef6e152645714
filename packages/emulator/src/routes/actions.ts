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

/** 400 `INVALID_ACTION_TYPE` for the first action of a type VoIPBIN does not have. */
export function validateActionTypes(actions: readonly { type: string }[]): void {
  for (const action of actions) {
    if (!KNOWN.has(action.type)) throw errors.invalidActionType(action.type);
  }
}
