import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

/**
 * An action that does nothing but go on to the next. VoIPBIN's own services put it in flows
 * (queue-manager's wait loop); at commit 2bf22fa its request check (`TypeListAll`) leaves it
 * out, so VoIPBIN may answer a request that sends it with 400 `INVALID_ACTION_TYPE`.
 */
export const EmptyActionSchema = actionSchema('empty', v.optional(NoOptionSchema));

export type EmptyAction = v.InferOutput<typeof EmptyActionSchema>;
