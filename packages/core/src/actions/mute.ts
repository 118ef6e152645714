import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

/** VoIPBIN decodes no options for `mute` (`struct{}{}` in its `OptionStructByType`). */
export const MuteActionSchema = actionSchema('mute', v.optional(NoOptionSchema));

export type MuteAction = v.InferOutput<typeof MuteActionSchema>;
