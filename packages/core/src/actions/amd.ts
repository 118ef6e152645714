import * as v from 'valibot';
import { actionSchema } from './define.ts';

export const AmdOptionSchema = v.strictObject({
  machine_handle: v.optional(v.picklist(['hangup', 'continue'])),
  async: v.optional(v.boolean()),
});

export const AmdActionSchema = actionSchema('amd', v.optional(AmdOptionSchema));

export type AmdAction = v.InferOutput<typeof AmdActionSchema>;
