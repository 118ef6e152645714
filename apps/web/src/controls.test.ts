import { describe, expect, it } from 'vitest';
import { muteWords, recordingCount, talkRequest, unmuteDirection } from './controls.ts';

describe('in-call control words and checks', () => {
  it('unmutes the direction muted, and none (both) when it is not known', () => {
    expect(unmuteDirection('BOTH')).toBe('BOTH');
    expect(unmuteDirection('IN')).toBe('IN');
    expect(unmuteDirection('OUT')).toBe('OUT');
    expect(unmuteDirection('UNKNOWN')).toBeUndefined();
    expect(unmuteDirection(null)).toBeUndefined();
  });

  it('says which way the call is muted', () => {
    expect(muteWords(null)).toBe('Not muted.');
    expect(muteWords('BOTH')).toBe('Muted both ways.');
    expect(muteWords('IN')).toBe('Their voice is muted.');
    expect(muteWords('OUT')).toBe('What they hear is muted.');
    expect(muteWords('UNKNOWN')).toMatch(/^Muted \(/);
  });

  it('refuses an empty text to say, without repeating it, and trims the rest', () => {
    expect(talkRequest('')).toEqual({ refused: 'Type what to say first.' });
    expect(talkRequest(' \n\t ')).toEqual({ refused: 'Type what to say first.' });
    expect(talkRequest('  Hello there  ')).toEqual({ text: 'Hello there' });
  });

  it('counts the recordings', () => {
    expect(recordingCount({ recordingIds: [] })).toBe('No recordings yet');
    expect(recordingCount({ recordingIds: ['r1'] })).toBe('1 recording');
    expect(recordingCount({ recordingIds: ['r1', 'r2'] })).toBe('2 recordings');
  });
});
