import { describe, expect, it } from 'vitest';
import { statusWords, toneOf } from './words.ts';

describe('statusWords and toneOf', () => {
  it('says each status in words, live until HANGUP', () => {
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
      ['Answered', 'live'],
      ['Canceling', 'live'],
      ['Ending', 'live'],
      ['Ended', 'ended'],
      ['Unknown', 'warn'],
    ]);
  });
});
