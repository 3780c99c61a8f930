/** Public surface of the virtual keypad (`tenkey/device-sim`). */
export { startSimulator, parseListen, SimulatorOptionsError } from './keypad-server.js';
export type { SimulatorOptions, RunningSimulator, Listen } from './keypad-server.js';
export { VirtualKeypad, DEFAULT_DEVICE_IDENTITY } from './virtual-keypad.js';
export type {
  VirtualKeypadOptions, VirtualKeypadEvents, KeypadAttachment, AttachOptions, DeviceIdentity, SessionEnd, SessionOutcome,
} from './virtual-keypad.js';
export { maskPan, maskExpiry, renderDisplay, IDLE_DISPLAY, MASK_DOT } from './display.js';
export type { DisplaySnapshot } from './display.js';
export { parseKeyScript, formatKeyScript, runKeyScript, KeyScriptError, KeyScriptErrorCode } from './key-script.js';
export type { KeyScriptStep, KeyScriptRun, KeyScriptErrorCodeName } from './key-script.js';
export { KEYPAD_SERVICES, DEFAULT_SERVICE_ID, findKeypadService, UnknownServiceError } from './services.js';
export type { KeypadService } from './services.js';
export { KEYPAD_KEYS, isKeypadKey } from './entry/keys.js';
export type { KeypadKey } from './entry/keys.js';
export { parseFaultSpec, formatFaultSpec, FaultSpecError, FaultSpecErrorCode, NO_FAULTS } from './faults/fault-spec.js';
export type { FaultSpec, FaultSpecErrorCodeName } from './faults/fault-spec.js';
