import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema, destinations, text } from './define.ts';

export const EmailSendOptionSchema = v.strictObject({
  destinations: destinations(),
  subject: v.optional(text()),
  content: v.optional(text()),
  attachments: v.optional(
    v.array(
      v.strictObject({
        reference_type: v.picklist(['', 'recording']),
        reference_id: UuidSchema,
      }),
    ),
  ),
});

export const EmailSendActionSchema = actionSchema('email_send', EmailSendOptionSchema);

export type EmailSendAction = v.InferOutput<typeof EmailSendActionSchema>;
