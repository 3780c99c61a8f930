/**
 * PROTOCOL.md cannot drift from the code: every ```hex block in it must decode, be the message its
 * "Example NAME" line says, re-encode to the same bytes, and match the "Fields:" line shown under it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as protocol from '../../protocol/constants.js';
import { decodeFrame, encodeFrame, messageToJson, MessageType, type MessageTypeName } from '../../protocol/index.js';

const spec = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');

interface HexExample { label: string; named: string; hex: string; fields: string | undefined; line: number }

function hexExamples(markdown: string): HexExample[] {
  const lines = markdown.split('\n');
  const examples: HexExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```hex') continue;
    let label = '';
    for (let j = i - 1; j >= 0 && label === ''; j--) label = lines[j]!.trim();
    const end = lines.indexOf('```', i + 1);
    const hex = lines.slice(i + 1, end).join(' ');
    const fieldsLine = lines.slice(end + 1, end + 6).find((l) => l.startsWith('Fields: '));
    examples.push({
      label, named: /^Example ([A-Z_]+)\b/.exec(label)?.[1] ?? '', hex, line: i + 1,
      fields: fieldsLine === undefined ? undefined : /`(.*)`/.exec(fieldsLine)?.[1],
    });
    i = end;
  }
  return examples;
}

const examples = hexExamples(spec);

describe('PROTOCOL.md examples', () => {
  it('has an example for every message type', () => {
    const named = new Set(examples.map((e) => e.named));
    for (const type of Object.keys(MessageType)) expect(named, type).toContain(type);
  });

  it.each(examples.map((e) => [`line ${e.line}: ${e.named}`, e] as const))('%s decodes to the message named beside it', (_title, example) => {
    expect(example.named, `label "${example.label}" must start with "Example NAME"`).not.toBe('');
    expect(example.hex).toMatch(/^[0-9a-f ]+$/);
    const bytes = Buffer.from(example.hex.replace(/\s+/g, ''), 'hex');
    const result = decodeFrame(bytes);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    const { frame } = result;
    expect(frame.message.type).toBe(example.named as MessageTypeName);
    const again = encodeFrame(frame.message, frame.seq, { fromDevice: frame.fromDevice, retransmission: frame.retransmission });
    expect(again.toString('hex')).toBe(bytes.toString('hex'));
    expect(example.fields, 'a "Fields:" line under the block').toBeDefined();
    expect(JSON.parse(example.fields!)).toEqual(messageToJson(frame.message));
  });

  it('lists the same constants as protocol/constants.ts', () => {
    const rows = [...spec.matchAll(/^\| ([A-Z_]+) \| (\d+) \|/gm)];
    expect(rows.length).toBeGreaterThan(10);
    const constants = protocol as unknown as Record<string, unknown>;
    for (const [, name, value] of rows) {
      if (name! in constants) expect(constants[name!], name).toBe(Number(value));
    }
  });
});
