import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeMessage, encodeFrame, decodeFrame, messageFromJson, messageToJson, type Message } from '../../protocol/index.js';
import { arbMessage } from './arbitraries.js';

describe('describeMessage', () => {
  it('renders START_ENTRY on one line with its settings', () => {
    expect(describeMessage({
      type: 'START_ENTRY', sessionId: 42, inactivityTimeoutS: 60, reveal: 3, expiryRequired: true, acceptedBrands: [],
    })).toBe('START_ENTRY session=42 timeout=60s reveal=3 expiry=yes brands=*');
  });

  it('says when the device default timeout applies and lists brand sets', () => {
    expect(describeMessage({
      type: 'START_ENTRY', sessionId: 1, inactivityTimeoutS: 0, reveal: 0, expiryRequired: false, acceptedBrands: ['visa', 'jcb'],
    })).toBe('START_ENTRY session=1 timeout=60s(default) reveal=0 expiry=no brands=visa,jcb');
  });

  it('shows RESULT metadata but only the size of the encrypted block', () => {
    const line = describeMessage({
      type: 'RESULT', sessionId: 7, brand: 'visa', last: '111', keySerialNumber: Uint8Array.from({ length: 12 }, (_, i) => i),
      encryptedBlock: new Uint8Array(48).fill(0xab),
    });
    expect(line).toBe('RESULT session=7 brand=visa last=111 ksn=000102030405060708090a0b block=48B');
    expect(line).not.toContain('abab');
  });

  it('is one line for every message', () => {
    fc.assert(fc.property(arbMessage, (m) => {
      const line = describeMessage(m);
      expect(line.startsWith(m.type)).toBe(true);
      expect(line).not.toMatch(/\n/);
    }));
  });
});

describe('messageToJson', () => {
  it('turns byte arrays into lowercase hex', () => {
    const json = messageToJson({
      type: 'INFO', protocolVersion: 1, model: 'TK-10', firmwareVersion: '1.0.0', serialNumber: 'SN1',
      keySetId: Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1), acceptedBrands: ['visa'],
    });
    expect(json.keySetId).toBe('deadbeef00000001');
    expect(json.acceptedBrands).toEqual(['visa']);
  });

  it('survives JSON.stringify and comes back as the same message', () => {
    fc.assert(fc.property(arbMessage, (m: Message) => {
      const back = messageFromJson(JSON.parse(JSON.stringify(messageToJson(m))));
      expect(back).toEqual(m);
      const wire = encodeFrame(back, 0, { fromDevice: true });
      const decoded = decodeFrame(wire);
      expect(decoded.ok && decoded.frame.message).toEqual(m);
    }));
  });
});
