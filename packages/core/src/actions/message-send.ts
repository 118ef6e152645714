import * as v from 'valibot';
import { AddressSchema } from '../address.ts';
import { actionSchema, destinations, nonEmptyText } from './define.ts';

export const MessageSendOptionSchema = v.strictObject({
  source: v.optional(AddressSchema),
  destinations: destinations(),
  text: nonEmptyText(),
});

export const MessageSendActionSchema = actionSchema('message_send', MessageSendOptionSchema);

export type MessageSendAction = v.InferOutput<typeof MessageSendActionSchema>;
