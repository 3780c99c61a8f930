import { ERROR_TABLE, STORE_MESSAGES, TENKEY_ERROR_CODES, CANCELLED_MESSAGES } from './errors.js';

/** Marks text that is tenkey's own, not verbatim from the store manual. */
export const OWN_WORDING = "(tenkey's own wording: the store manual has no cancel message)";

const SOURCE_TITLES = { device: 'Device ERROR', protocol: 'Protocol', os: 'OS', driver: 'Driver' } as const;

/**
 * The error table as Markdown, for README.md: first the four store messages (verbatim from the store manual)
 * and tenkey's own cancellation wording, marked as such, then every cause and the outcome it lands on. Generated from ERROR_TABLE so the documentation cannot drift from the code.
 */
export function renderErrorTableMarkdown(): string {
  const lines: string[] = [];
  lines.push('| Code | Store message (ja) | English |', '|---|---|---|');
  for (const code of TENKEY_ERROR_CODES) lines.push(`| \`${code}\` | ${STORE_MESSAGES[code].ja} | ${STORE_MESSAGES[code].en} |`);
  // The store manual has no cancel message: this row is tenkey's own wording and says so where it is read.
  lines.push(`| \`CANCELLED\` (not an error) | ${CANCELLED_MESSAGES.ja} ${OWN_WORDING} | ${CANCELLED_MESSAGES.en} |`);
  lines.push('', '| Source | Cause | Outcome | Why |', '|---|---|---|---|');
  for (const row of ERROR_TABLE) {
    lines.push(`| ${SOURCE_TITLES[row.source]} | \`${row.cause}\` | \`${row.outcome}\` | ${row.why.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}
