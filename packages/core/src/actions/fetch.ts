import * as v from 'valibot';
import { actionSchema, url } from './define.ts';

export const FetchOptionSchema = v.strictObject({
  event_url: url(),
  event_method: v.optional(v.picklist(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])),
});

export const FetchActionSchema = actionSchema('fetch', FetchOptionSchema);

export type FetchAction = v.InferOutput<typeof FetchActionSchema>;
