import {
  CAPTURE_FORMAT,
  CAPTURE_FORMAT_VERSION,
  roundCaptureTime,
  type CaptureHeader,
  type CaptureOrigin,
  type CaptureOutcome,
  type CaptureRecord,
  type CaptureScenario,
} from './capture-format.js';
import { captureError } from './capture-error.js';

/** One capture line ↔ one object. Pure functions: the reader and writer stream around them. */

const HEX_RE = /^(?:[0-9a-f]{2})+$/;

export function serializeHeader(header: CaptureHeader): string {
  const out: Record<string, unknown> = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_FORMAT_VERSION,
    protocolVersion: header.protocolVersion,
    captured: header.captured,
  };
  if (header.note !== undefined) out['note'] = header.note;
  if (header.scenario !== undefined) out['scenario'] = header.scenario;
  return JSON.stringify(out);
}

export function serializeRecord(record: CaptureRecord): string {
  if ('dir' in record) {
    return JSON.stringify({ dir: record.dir, t: roundCaptureTime(record.t), hex: Buffer.from(record.bytes).toString('hex') });
  }
  return JSON.stringify({ event: record.event, side: record.side, t: roundCaptureTime(record.t) });
}

function parseObject(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw captureError('BAD_JSON', `not JSON (${(e as Error).message})`, line);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw captureError('BAD_JSON', 'expected a JSON object', line);
  }
  return value as Record<string, unknown>;
}

function optionalString(obj: Record<string, unknown>, key: string, line: number, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw captureError('BAD_HEADER', `${where}${key} must be a string`, line);
  return v;
}

function parseOrigin(value: unknown, line: number): CaptureOrigin {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw captureError('BAD_HEADER', 'captured must be an object', line);
  }
  const obj = value as Record<string, unknown>;
  const tool = optionalString(obj, 'tool', line, 'captured.');
  const startedAt = optionalString(obj, 'startedAt', line, 'captured.');
  if (tool === undefined) throw captureError('BAD_HEADER', 'captured.tool is required', line);
  if (startedAt === undefined) throw captureError('BAD_HEADER', 'captured.startedAt is required', line);
  const device = optionalString(obj, 'device', line, 'captured.');
  return device === undefined ? { tool, startedAt } : { tool, device, startedAt };
}

function parseOutcome(value: unknown, line: number): CaptureOutcome {
  const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (obj['kind'] === 'card' && typeof obj['brand'] === 'string' && typeof obj['last'] === 'string') {
    return { kind: 'card', brand: obj['brand'], last: obj['last'] };
  }
  if (obj['kind'] === 'error' && typeof obj['code'] === 'string') return { kind: 'error', code: obj['code'] };
  if (obj['kind'] === 'cancelled') return { kind: 'cancelled' };
  throw captureError('BAD_HEADER', 'scenario.outcome must be {kind:"card",brand,last} | {kind:"error",code} | {kind:"cancelled"}', line);
}

function parseScenario(value: unknown, line: number): CaptureScenario {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw captureError('BAD_HEADER', 'scenario must be an object', line);
  }
  const obj = value as Record<string, unknown>;
  const scenario: CaptureScenario = {};
  for (const key of ['name', 'deviceDate', 'service', 'deviceService', 'faults'] as const) {
    const v = optionalString(obj, key, line, 'scenario.');
    if (v !== undefined) scenario[key] = v;
  }
  if (obj['keys'] !== undefined) {
    const keys = obj['keys'];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw captureError('BAD_HEADER', 'scenario.keys must be an array of strings', line);
    }
    scenario.keys = keys as string[];
  }
  if (obj['keyTimes'] !== undefined) {
    const times = obj['keyTimes'];
    if (!Array.isArray(times) || !times.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
      throw captureError('BAD_HEADER', 'scenario.keyTimes must be an array of times in ms', line);
    }
    scenario.keyTimes = times as number[];
  }
  for (const field of ['keyCounter', 'cardBlockSeed'] as const) {
    const c = obj[field];
    if (c === undefined) continue;
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
      throw captureError('BAD_HEADER', `scenario.${field} must be a non-negative integer`, line);
    }
    scenario[field] = c;
  }
  if (obj['outcome'] !== undefined) scenario.outcome = parseOutcome(obj['outcome'], line);
  return scenario;
}

/** Parses and validates the header line. */
export function parseHeaderLine(text: string, line = 1): CaptureHeader {
  const obj = parseObject(text, line);
  if (obj['format'] !== CAPTURE_FORMAT) {
    throw captureError('BAD_HEADER', `first line must be a header with "format":"${CAPTURE_FORMAT}"`, line);
  }
  if (obj['version'] !== CAPTURE_FORMAT_VERSION) {
    throw captureError('UNSUPPORTED_VERSION', `capture format version ${JSON.stringify(obj['version'])} is not supported (this reader knows ${CAPTURE_FORMAT_VERSION})`, line);
  }
  const protocolVersion = obj['protocolVersion'];
  if (typeof protocolVersion !== 'number' || !Number.isInteger(protocolVersion) || protocolVersion < 1 || protocolVersion > 255) {
    throw captureError('BAD_HEADER', 'protocolVersion must be an integer 1–255', line);
  }
  const header: CaptureHeader = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_FORMAT_VERSION,
    protocolVersion,
    captured: parseOrigin(obj['captured'], line),
  };
  const note = optionalString(obj, 'note', line, '');
  if (note !== undefined) header.note = note;
  if (obj['scenario'] !== undefined) header.scenario = parseScenario(obj['scenario'], line);
  return header;
}

function parseTime(obj: Record<string, unknown>, line: number, previousT: number): number {
  const t = obj['t'];
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw captureError('BAD_RECORD', 't must be a finite number of milliseconds ≥ 0', line);
  }
  if (t < previousT) {
    throw captureError('TIME_WENT_BACKWARDS', `t=${t} is before the previous record's t=${previousT}`, line);
  }
  return t;
}

/** Parses and validates one record line. `previousT` enforces arrival order. */
export function parseRecordLine(text: string, line: number, previousT = 0): CaptureRecord {
  const obj = parseObject(text, line);
  if ('format' in obj) throw captureError('BAD_RECORD', 'a second header: captures hold exactly one', line);
  if ('event' in obj) {
    const event = obj['event'];
    const side = obj['side'];
    if (event !== 'open' && event !== 'close') throw captureError('BAD_RECORD', 'event must be "open" or "close"', line);
    if (side !== 'host' && side !== 'device') throw captureError('BAD_RECORD', 'side must be "host" or "device"', line);
    return { event, side, t: parseTime(obj, line, previousT) };
  }
  const dir = obj['dir'];
  if (dir !== 'h2d' && dir !== 'd2h') throw captureError('BAD_RECORD', 'dir must be "h2d" or "d2h"', line);
  const t = parseTime(obj, line, previousT);
  const hex = obj['hex'];
  if (typeof hex !== 'string') throw captureError('BAD_RECORD', 'hex must be a string', line);
  const lower = hex.toLowerCase();
  if (!HEX_RE.test(lower)) {
    throw captureError('BAD_HEX', hex.length === 0 ? 'hex is empty: a chunk holds at least one byte' : 'hex must be whole bytes of hex digits', line);
  }
  return { dir, t, bytes: Buffer.from(lower, 'hex') };
}
