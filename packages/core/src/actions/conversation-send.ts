import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema, nonEmptyText } from './define.ts';

export const ConversationSendOptionSchema = v.strictObject({
  conversation_id: UuidSchema,
  text: nonEmptyText(),
  sync: v.optional(v.boolean()),
});

export const ConversationSendActionSchema = actionSchema(
  'conversation_send',
  ConversationSendOptionSchema,
);

export type ConversationSendAction = v.InferOutput<typeof ConversationSendActionSchema>;
