/**
 * Destination numbers that make the emulator end a call a given way, like Twilio's magic
 * numbers. Any other number answers and runs its flow to the end.
 */
export const TEST_NUMBERS = {
  /** Rings, is answered, runs the flow, then VoIPBIN hangs up (`terminating`, `normal`, `local`). Any other number does too. */
  answer: '+15005550000',
  /** Never connects: `dialing` -> `hangup` (`busy`, `remote`). */
  busy: '+15005550001',
  /** Rings until VoIPBIN's 60 s dial timeout, nobody answers: `hangup` (`noanswer`, `remote`). */
  noanswer: '+15005550002',
  /** The network fails the call: `dialing` -> `hangup` (`failed`, `remote`). */
  failed: '+15005550003',
  /** An answering machine picks up; an `amd` action with `machine_handle: 'hangup'` ends the call (`amd`). */
  machine: '+15005550004',
  /**
   * Answers and stays on the line after the flow ends, until hung up through the API or cut at
   * VoIPBIN's 1 h maximum (`progressing` -> `hangup`, `timeout`, `remote`).
   */
  endless: '+15005550005',
  /**
   * Answers, and the callee hangs up 5 s later, in the middle of the flow:
   * `progressing` -> `hangup` (`normal`, `remote`).
   */
  calleeHangup: '+15005550006',
} as const;

export type Ending = keyof typeof TEST_NUMBERS;

export function endingOf(target: string | undefined): Ending {
  for (const [ending, number] of Object.entries(TEST_NUMBERS)) {
    if (number === target) return ending as Ending;
  }
  return 'answer';
}
