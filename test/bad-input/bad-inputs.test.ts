/**
 * The README's bad-input table, row by row: each row's check is its test, titled "area: what was tried".
 */
import { describe, expect, it } from 'vitest';
import { BAD_INPUT_AREAS } from './bad-input-row.js';
import { BAD_INPUT_ROWS } from './rows.js';

describe('bad input, and what each gets', () => {
  for (const row of BAD_INPUT_ROWS) it(`${row.area}: ${row.input}`, row.check);
});

describe('the bad-input table', () => {
  it('names each kind of bad input once, grouped by area in table order', () => {
    const titles = BAD_INPUT_ROWS.map((row) => `${row.area}: ${row.input}`);
    expect(new Set(titles).size).toBe(titles.length);
    const areas = BAD_INPUT_ROWS.map((row) => BAD_INPUT_AREAS.indexOf(row.area));
    expect(areas).toEqual([...areas].sort((a, b) => a - b));
  });

  it('holds no card number: no run of 12 or more digits in what was tried or what it gets', () => {
    const words = BAD_INPUT_ROWS.flatMap((row) => [row.input, row.answer]);
    expect(words.filter((text) => /\d(?:[ -]?\d){11,}/.test(text))).toEqual([]);
  });
});
