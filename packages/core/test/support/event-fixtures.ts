import { CallSchema } from '../../src/call.ts';
import { check } from '../../src/validate.ts';

/** A call as an older VoIPBIN webhook carries it: space-separated times, the 9999 sentinel. */
export const webhookCall = {
  id: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
  customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
  type: 'flow',
  source: { type: 'tel', target: '+821028286521', target_name: '', name: '', detail: '' },
  destination: { type: 'tel', target: '+821021656521', target_name: '', name: '', detail: '' },
  status: 'hangup',
  direction: 'outgoing',
  hangup_by: 'remote',
  hangup_reason: 'normal',
  chained_call_ids: null,
  recording_ids: [],
  tm_hangup: '2023-03-28 12:01:05.248732',
  tm_create: '2023-03-28 12:00:05.248732',
  tm_delete: '9999-01-01 00:00:00.000000',
};

/** `webhookCall` as core's CallSchema reads it. */
export const normalisedWebhookCall = (() => {
  const result = check(CallSchema, webhookCall);
  if (!result.success) throw new Error('the webhookCall fixture does not parse');
  return result.output;
})();
