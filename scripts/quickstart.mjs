// Places the VoIPBIN quickstart's call with @voipbin-kit/core alone, against the emulator in this
// process (no account, no network), prints it, then follows it to its end on the emulator's clock.
import { createClient, TalkActionSchema, talk } from '@voipbin-kit/core';
import { createEmulator } from '@voipbin-kit/emulator';

const emulator = createEmulator(); // a manual clock: time moves when we say
const voipbin = createClient({
  baseURL: 'http://emulator.local/v1.0',
  token: 'your-voipbin-token',
  actions: [TalkActionSchema], // the actions this app sends; ACTION_SCHEMAS has all 44
  fetch: (input, init) => emulator.fetch(new Request(input, init)),
});

const { calls } = await voipbin.calls.create({
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [
    talk({
      text: 'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.',
      gender: 'female',
      language: 'en-US',
    }),
  ],
});
const [call] = calls;
console.log('placed, normalised by @voipbin-kit/core (unset is null, times are ISO 8601):');
console.log(JSON.stringify(call, null, 2));

for (let second = 1; second <= 15; second++) {
  emulator.advance(1000);
  const now = await voipbin.calls.get(call.id);
  console.log(
    `+${String(second).padStart(2)} s  ${now.status.padEnd(12)} ${now.action?.type ?? ''}`,
  );
  if (now.status === 'hangup') {
    console.log(`ended: ${now.hangup_reason} (by ${now.hangup_by}) at ${now.tm_hangup}`);
    break;
  }
}
