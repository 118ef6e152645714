import * as v from 'valibot';
import { loose, type Open, ResponseTimestampSchema, unset } from '../primitives.ts';
import type { ActionType } from './all.ts';

/**
 * An action as VoIPBIN answers it (a call's current `action`, a flow's steps). Read
 * tolerantly: an action type this version does not know keeps its raw `type` and `option`.
 * Before the first step runs VoIPBIN answers `{ id: "...0001", type: "" }`: `type` is then `null`.
 */
export const ResponseActionSchema = v.object({
  id: unset(),
  next_id: unset(),
  type: unset<Open<ActionType>>(),
  option: loose(v.record(v.string(), v.unknown()), (option) => option),
  tm_execute: ResponseTimestampSchema,
});
export type ResponseAction = v.InferOutput<typeof ResponseActionSchema>;
