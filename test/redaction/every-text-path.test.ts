/**
 * Every path that formats text for outside the process, fed a Luhn-valid card number in any spelling: none lets it
 * through. Paths: the loggers, error messages / details / toJSON (driver, bridge, store, captures), the CLI's
 * error lines (its own and commander's), the bridge's JSON bodies and request log (its parser-error answers too),
 * decode's message views, and the device-string sanitizer.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RequestLogEntry, type RunningBridge } from '../../bridge/index.js';
import { RequestProblem } from '../../bridge/request-problem.js';
import { humanError } from '../../cli/driver-output.js';
import { StoreApiError } from '../../demo-store/http-json.js';
import { fromDeviceError } from '../../host-driver/errors.js';
import { streamLogger, tenkeyError, toTenkeyError } from '../../host-driver/index.js';
import { printableLogger } from '../../host-driver/logger.js';
import { printableDevice } from '../../host-driver/printable-device.js';
import { unknownServiceError } from '../../host-driver/services.js';
import { CaptureError } from '../../protocol/capture/capture-error.js';
import { describeMessage, messageToPrintableJson } from '../../protocol/describe.js';
import { ProtocolError } from '../../protocol/errors.js';
import { deviceText } from '../../protocol/printable-text.js';
import { runCliInProcess } from '../host-driver/cli-runner.js';
import { recordingLogger } from '../host-driver/harness.js';
import { arbLeakyText, holdsNumber } from './card-number-spellings.js';

const FAST = { numRuns: 300 };
/** Paths that run a command or an HTTP exchange per case. */
const SLOW = { numRuns: 25 };

const leaks = (outputs: readonly string[], number: string): boolean => outputs.some((output) => holdsNumber(output, number));

describe('no card number survives, in any spelling, through', () => {
  it('the loggers: streamLogger lines and what printableLogger hands a caller logger', () => {
    fc.assert(fc.property(arbLeakyText, ({ number, text }) => {
      const lines: string[] = [];
      streamLogger((line) => lines.push(line), 'debug').warn(text, { model: text, n: Number(number.slice(0, 15)) });
      const recorder = recordingLogger();
      printableLogger(recorder).info(text, { [text]: text });
      expect(lines).toHaveLength(1);
      expect(lines[0]!.indexOf('\n')).toBe(lines[0]!.length - 1);
      expect(leaks([...lines, JSON.stringify(recorder.lines)], number)).toBe(false);
    }), FAST);
  });

  it("error messages, details and toJSON: the driver's, the bridge's, the store's, captures', the protocol's", () => {
    fc.assert(fc.property(arbLeakyText, ({ number, text }) => {
      const errors = [
        tenkeyError('UNKNOWN', text), unknownServiceError(text), fromDeviceError('INTERNAL', text), toTenkeyError(new Error(text)),
        new RequestProblem('BAD_REQUEST', text), new StoreApiError(400, 'BAD_REQUEST', 'UNKNOWN_FIELD', text),
        new CaptureError('BAD_JSON', text, 3), new ProtocolError('BAD_PAYLOAD', text),
      ];
      const outputs = errors.flatMap((e) => [e.message, String(e), JSON.stringify(e), JSON.stringify((e as { toJSON?: () => unknown }).toJSON?.() ?? null)]);
      const driverError = unknownServiceError(text).toJSON();
      expect(leaks([...outputs, humanError(driverError)], number)).toBe(false);
    }), FAST);
  });

  it("decode's views of INFO and ERROR, and the device-string sanitizer", () => {
    fc.assert(fc.property(arbLeakyText, ({ number, text }) => {
      const info = { type: 'INFO' as const, protocolVersion: 1, model: text, firmwareVersion: text, serialNumber: text, keySetId: new Uint8Array(8), acceptedBrands: [] };
      const error = { type: 'ERROR' as const, sessionId: 1, code: 'INTERNAL' as const, detail: text };
      const device = printableDevice({ address: 'tcp://127.0.0.1:7780', model: text, firmwareVersion: text, serialNumber: text, keySetId: '00', protocolVersion: 1, acceptedBrands: [] });
      const outputs = [describeMessage(info), describeMessage(error), JSON.stringify(messageToPrintableJson(info)), JSON.stringify(messageToPrintableJson(error)), deviceText(text), JSON.stringify(device)];
      expect(leaks(outputs, number)).toBe(false);
    }), FAST);
  });

  it('the CLI: `tenkey read` / `doctor` echoing an unknown service, decode naming a missing file, commander quoting a bad option', async () => {
    await fc.assert(fc.asyncProperty(arbLeakyText, async ({ number, text }) => {
      const runs = [];
      // One at a time: an in-process run captures the process's stdout and stderr.
      for (const args of [
        ['read', '--device', 'tcp://127.0.0.1:1', '--service', text],
        ['read', '--json', '--device', 'tcp://127.0.0.1:1', '--service', text],
        ['doctor', '--device', 'tcp://127.0.0.1:1', '--service', text],
        ['decode', `/nonexistent/${text}`],
        ['read', `--${text.replace(/^-+/, '')}`],
      ]) runs.push(await runCliInProcess(args));
      for (const run of runs) {
        expect(run.code).not.toBe(0);
        expect(run.stdout + run.stderr).toMatch(/\[redacted\]/);
      }
      expect(leaks(runs.flatMap((run) => [run.stdout, run.stderr]), number)).toBe(false);
    }), SLOW);
  }, 120_000);

  describe("the bridge's JSON bodies and its request log", () => {
    let bridge: RunningBridge;
    const log: RequestLogEntry[] = [];
    beforeAll(async () => {
      bridge = await startBridge({ device: 'tcp://127.0.0.1:1', listen: '127.0.0.1:0', onRequest: (entry) => log.push(entry) });
    });
    afterAll(() => bridge.close());

    /** A request Node's parser refuses (lowercase method), with `path`, over a raw socket: the bridge's whole answer. */
    const refusedRequest = (path: string): Promise<string> => new Promise((resolve) => {
      const socket = connect(bridge.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('error', () => {});
      socket.on('close', () => resolve(answer));
      socket.write(`get ${path} HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n\r\n`);
    });

    it('an unknown service in POST /entries, a path, a path Node refuses', async () => {
      await fc.assert(fc.asyncProperty(arbLeakyText, async ({ number, text }) => {
        log.length = 0;
        const host = `127.0.0.1:${bridge.port}`;
        const service = await fetch(`${bridge.url}/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ service: text }) });
        const path = `/entries/${encodeURIComponent(text)}/events`;
        const notFound = await fetch(`${bridge.url}${path}`, { headers: { Host: host } });
        const refused = await refusedRequest(path);
        const outputs = [await service.text(), await notFound.text(), refused];
        await new Promise((resolve) => setImmediate(resolve));
        expect(service.status).toBe(400);
        expect(refused).toMatch(/^HTTP\/1\.1 400 /);
        expect(log.length).toBeGreaterThanOrEqual(2);
        expect(leaks([...outputs, JSON.stringify(log)], number)).toBe(false);
      }), SLOW);
    }, 120_000);
  });
});
