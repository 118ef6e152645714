import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

/** VoIPBIN decodes no options for `stop` (`struct{}{}` in its `OptionStructByType`). */
export const StopActionSchema = actionSchema('stop', v.optional(NoOptionSchema));

export type StopAction = v.InferOutput<typeof StopActionSchema>;
