import { describe, expectTypeOf, it } from 'vitest';
import { type Call, createClient, type RequestOptions } from './index.ts';

/** The control methods built from CALL_CONTROLS keep their types: body or none, call or nothing. */
describe('call-control methods, typed from the table', () => {
  const calls = createClient({ token: 't' }).calls;

  it('answers the call for hangup and the recordings, nothing for the rest', () => {
    expectTypeOf(calls.hangup).returns.resolves.toEqualTypeOf<Call>();
    expectTypeOf(calls.startRecording).returns.resolves.toEqualTypeOf<Call>();
    expectTypeOf(calls.stopRecording).returns.resolves.toEqualTypeOf<Call>();
    expectTypeOf(calls.hold).returns.resolves.toEqualTypeOf<undefined>();
    expectTypeOf(calls.startMusicOnHold).returns.resolves.toEqualTypeOf<undefined>();
    expectTypeOf(calls.stopSilence).returns.resolves.toEqualTypeOf<undefined>();
  });

  it('takes no body where VoIPBIN reads none, a required one for talk, an optional one else', () => {
    expectTypeOf(calls.hold).parameters.toEqualTypeOf<[string, RequestOptions?]>();
    expectTypeOf(calls.startSilence).parameters.toEqualTypeOf<[string, RequestOptions?]>();
    expectTypeOf(calls.talk).parameter(1).toExtend<{ text: string }>();
    // @ts-expect-error: a talk needs its text
    calls.talk('id');
    // @ts-expect-error: a hold takes no body
    calls.hold('id', { direction: 'in' }, {});
    calls.mute('id');
    calls.unmute('id', { direction: 'in' });
    calls.startRecording('id', { format: 'mp3', beep_start: true });
    // @ts-expect-error: flac is no format of VoIPBIN's
    calls.startRecording('id', { format: 'flac' });
  });
});
