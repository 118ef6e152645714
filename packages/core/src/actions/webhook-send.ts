import * as v from 'valibot';
import { actionSchema, text, url } from './define.ts';

export const WebhookSendOptionSchema = v.strictObject({
  sync: v.optional(v.boolean()),
  uri: url(),
  method: v.optional(v.picklist(['POST', 'GET', 'PUT', 'DELETE'])),
  data_type: v.optional(text()),
  data: v.optional(text()),
});

export const WebhookSendActionSchema = actionSchema('webhook_send', WebhookSendOptionSchema);

export type WebhookSendAction = v.InferOutput<typeof WebhookSendActionSchema>;
