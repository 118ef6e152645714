/**
 * Kept for `sockets.ts`, which imports `EmulatorEvent` from here: types only, so it closes no
 * import circle. `createEmulator` is in create.ts; import the types from types.ts.
 */
export type { EmulatorEvent } from './types.ts';
