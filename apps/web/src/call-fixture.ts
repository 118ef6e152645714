import type { CallState } from './documents.ts';

/** A call's state for the page's tests: the quickstart's numbers, nothing else set. */
export const callState = (
  status: CallState['status'],
  more: Partial<CallState> = {},
): CallState => ({
  id: 'call-1',
  status,
  createdAt: '2026-01-15T09:30:00.000000Z',
  updatedAt: null,
  ringingAt: null,
  progressingAt: null,
  hangupAt: null,
  hangupBy: null,
  hangupReason: null,
  muteDirection: null,
  recordingId: null,
  recordingIds: [],
  source: { target: '+821028286521' },
  destination: { target: '+821021656521' },
  action: null,
  ...more,
});
