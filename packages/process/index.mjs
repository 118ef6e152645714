// @voipbin-kit/process: starting the servers the tests, the benchmark and the budget scripts
// need, waiting for them (minutes, on their ready signal) and never leaving one running.

export { freePort } from './port.mjs';
export {
  commandLine,
  descendantsOf,
  environment,
  groupAlive,
  leftovers,
  lineage,
  listProcesses,
  OWNER_ENV,
  owner,
  survivors,
} from './proc.mjs';
export {
  adopt,
  runInPlace,
  runProcess,
  STOP_GRACE_MS,
  spawnProcess,
  startProcess,
  waitReady,
} from './processes.mjs';
export {
  bounded,
  httpOk,
  NotReadyError,
  READY_TIMEOUT_ENV,
  READY_TIMEOUT_MS,
  seconds,
  tail,
  waitUntil,
} from './wait.mjs';
