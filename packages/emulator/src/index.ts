export type { CallEventType } from '@voipbin-kit/core';
export {
  type Clock,
  type ManualClock,
  manualClock,
  type RealClock,
  realClock,
  voipbinTime,
} from './clock.ts';
export { createEmulator, type Emulator } from './create.ts';
export { DroppedConnectionError, type FaultRule } from './faults.ts';
export type { EmulatorOptions, EmulatorSockets, SeedFlow } from './options.ts';
export type { SocketConnection, SocketPeer, WsFrames } from './sockets.ts';
export { DEFAULT_CUSTOMER_ID, QUICKSTART_FLOW } from './state.ts';
export { TEST_NUMBERS } from './test-numbers.ts';
export type { EmulatorEvent, EmulatorEventType } from './types.ts';
export { SIGNATURE_HEADER, signature } from './webhooks.ts';
export {
  type EmulatorWebSocket,
  type EmulatorWebSocketConstructor,
  WebSocketCloseEvent,
  WebSocketMessageEvent,
} from './websocket.ts';
