/** The bad-input table as Markdown for README.md (`npm run docs`): rows grouped by area, never their checks run. */
import { BAD_INPUT_AREAS, type BadInputArea, type BadInputRow } from './bad-input-row.js';

const AREA_TITLES: Readonly<Record<BadInputArea, string>> = {
  wire: 'Wire', keypad: 'Keypad', cli: 'CLI', capture: 'Capture file', bridge: 'Bridge (HTTP)', store: 'Store (HTTP)',
};

/** One table cell: a `|` would end the cell and a line break the row. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

export function renderBadInputTableMarkdown(rows: readonly BadInputRow[]): string {
  const lines = [
    'Every row is a test (`test/bad-input/`: `npx vitest run test/bad-input`), so the table cannot drift from what tenkey does.',
    '',
    '| Where | Bad input | Answer |',
    '|---|---|---|',
  ];
  for (const area of BAD_INPUT_AREAS) {
    for (const row of rows.filter((r) => r.area === area)) lines.push(`| ${AREA_TITLES[area]} | ${cell(row.input)} | ${cell(row.answer)} |`);
  }
  return `${lines.join('\n')}\n`;
}
