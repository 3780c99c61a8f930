export {
  parseFaultSpec,
  formatFaultSpec,
  toFaultSpec,
  altersBytes,
  FaultSpecError,
  FaultSpecErrorCode,
  NO_FAULTS,
  DEFAULT_FAULT_SEED,
} from './fault-spec.js';
export type { FaultSpec, FaultSpecErrorCodeName } from './fault-spec.js';
export { FaultStream } from './fault-stream.js';
export type { FaultStreamOptions, FaultStreamStats } from './fault-stream.js';
export { mulberry32 } from './prng.js';
export type { Random } from './prng.js';
