import * as v from 'valibot';
import { AddressSchema } from '../address.ts';
import { AnonymousSchema } from '../primitives.ts';
import { actionSchema, destinations } from './define.ts';

export const ConnectOptionSchema = v.strictObject({
  source: v.optional(AddressSchema),
  destinations: destinations(),
  early_media: v.optional(v.boolean()),
  relay_reason: v.optional(v.boolean()),
  anonymous: v.optional(AnonymousSchema),
});

export const ConnectActionSchema = actionSchema('connect', ConnectOptionSchema);

export type ConnectAction = v.InferOutput<typeof ConnectActionSchema>;
