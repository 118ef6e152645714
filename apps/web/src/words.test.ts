import { describe, expect, it } from 'vitest';
import { duration, endWords, statusWords, toneOf } from './words.ts';

describe('the words the page uses for a call', () => {
  it('says each status as a caller would, with its tone', () => {
    const statuses = [
      'DIALING',
      'RINGING',
      'PROGRESSING',
      'CANCELING',
      'TERMINATING',
      'HANGUP',
      'UNKNOWN',
    ] as const;
    expect(statuses.map((s) => [statusWords(s), toneOf(s)])).toEqual([
      ['Dialing', 'live'],
      ['Ringing', 'live'],
      ['Answered', 'ok'],
      ['Canceling', 'live'],
      ['Ending', 'live'],
      ['Ended', 'ended'],
      ['Unknown', 'warn'],
    ]);
  });

  it('says why a call ended, and who hung up', () => {
    expect(endWords({ hangupReason: 'NORMAL', hangupBy: 'REMOTE' })).toBe(
      'Ended: the callee hung up',
    );
    expect(endWords({ hangupReason: 'CANCEL', hangupBy: 'LOCAL' })).toBe(
      'Ended: canceled before it was answered',
    );
    expect(endWords({ hangupReason: null, hangupBy: null })).toBe('Ended: no reason given');
  });

  it('shows a running time as m:ss, then h:mm:ss', () => {
    expect(duration(-5)).toBe('0:00');
    expect(duration(65_400)).toBe('1:05');
    expect(duration(3_723_000)).toBe('1:02:03');
  });
});
