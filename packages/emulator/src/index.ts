export type { CallEventType } from '@voipbin-kit/core';
export {
  type Clock,
  type ManualClock,
  manualClock,
  type RealClock,
  realClock,
  voipbinTime,
} from './clock.ts';
export {
  createEmulator,
  DEFAULT_CUSTOMER_ID,
  type Emulator,
  type EmulatorEvent,
  type EmulatorOptions,
  type EmulatorSockets,
  QUICKSTART_FLOW,
  type SeedFlow,
} from './emulator.ts';
export { DroppedConnectionError, type FaultRule } from './faults.ts';
export type { SocketConnection, SocketPeer, WsFrames } from './sockets.ts';
export { TEST_NUMBERS } from './test-numbers.ts';
export {
  type EmulatorWebSocket,
  type EmulatorWebSocketConstructor,
  WebSocketCloseEvent,
  WebSocketMessageEvent,
} from './websocket.ts';
