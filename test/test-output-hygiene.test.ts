/**
 * No card number in test output: test titles are printed by every reporter (and land in CI logs and
 * test-results/), so a title must name a card by its name, brand or index, never by its number or a plaintext
 * block holding it. This reads every test/**\/*.ts with the TypeScript compiler API and checks the titles of
 * it / test / describe / suite / bench calls (with any modifiers: .each, .for, .skip, .only, .concurrent,
 * .skipIf(...), ...):
 *
 * - literal titles (strings, templates): no run of 12–19 digits (spaces or dashes between digits allowed);
 * - `${...}` in a template title, or a non-literal title: no value that looks like a card number (see below);
 * - .each / .for tables: each printf placeholder (%s %d %i %f %j %o %O %c; not %% or %#) takes the matching
 *   column of every row, and each `$name` / `$a.b` takes that property of object rows; those values must not
 *   look like a card number.
 *
 * "Looks like a card number": a string literal with a 12–19 digit run anywhere inside the expression, or an
 * identifier / property path whose words name a card number (pan, plaintext, card, cards — unless the
 * path also says name, brand, label, kind, type, count or length: `card.name` is fine, `TEST_CARDS.jcb` is
 * not). Identifiers are followed to `const` initializers in the same file, and tables given by name to their
 * array literal there (spreads included).
 *
 * Limits (what this cannot see, so the manual `vitest --reporter=verbose | grep -E '[0-9]{12,19}'` still matters):
 * tables built at run time (.map(), imported arrays, function results) are not checked; values imported from
 * another module are judged by their name only; tagged-template tables (it.each`...`) are not read; and it
 * checks titles only — not console output, error messages or snapshots a test prints.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const TEST_ROOT = dirname(fileURLToPath(import.meta.url));
const TEST_APIS = new Set(['it', 'test', 'describe', 'suite', 'bench']);
const DIGIT_RUN = /\d(?:[ -]?\d){11,18}/u;
const PRINTF = /%[sdifjoOc%#]/gu;
const DOLLAR_PATH = /\$([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/gu;
const SENSITIVE_WORDS = new Set(['pan', 'pans', 'plaintext', 'card', 'cards']);
/** it.each(table), it.skipIf(c), ... return the function that takes the title: they are not registrations. */
const MODIFIER_CALLS = new Set(['each', 'for', 'skipIf', 'runIf', 'extend', 'scoped']);
const HARMLESS_WORDS = new Set(['name', 'names', 'brand', 'brands', 'label', 'kind', 'type', 'count', 'length']);

interface Finding {
  line: number;
  title: string;
  reason: string;
}

/** camelCase / snake_case / SCREAMING_CASE / digits → lower-case words. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/gu, '$1 $2')
    .replace(/([A-Za-z])(\d)/gu, '$1 $2')
    .split(/[^A-Za-z0-9]+/u)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

function isSensitivePath(path: string): boolean {
  const words = wordsOf(path);
  return words.some((w) => SENSITIVE_WORDS.has(w)) && !words.some((w) => HARMLESS_WORDS.has(w));
}

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isParenthesizedExpression(current) || ts.isTypeAssertionExpression(current)) {
    current = current.expression;
  }
  return current;
}

/** Every checker below works on one parsed file. */
function scanner(source: ts.SourceFile) {
  const constInitializers = new Map<string, ts.Expression>();
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined &&
        ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0) {
      constInitializers.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);

  /** Why `node`'s value could print a card number, or undefined. */
  function cardLike(node: ts.Node, seen: Set<string> = new Set()): string | undefined {
    if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node) || ts.isBigIntLiteral(node) || ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      return DIGIT_RUN.test(node.text) ? 'a 12–19 digit run' : undefined;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isIdentifier(node)) {
      const path = node.getText(source);
      if (isSensitivePath(path)) return `a value named like a card number (${path})`;
      if (ts.isIdentifier(node) && !seen.has(node.text)) {
        const initializer = constInitializers.get(node.text);
        if (initializer !== undefined) return cardLike(initializer, new Set([...seen, node.text]));
      }
      if (!ts.isIdentifier(node)) return cardLike(node.expression, seen);
      return undefined;
    }
    if (ts.isPropertyAssignment(node)) return cardLike(node.initializer, seen); // keys are not printed values
    if (ts.isCallExpression(node)) {
      // What a call returns is unknown here; its arguments are judged (a helper's name is not a value).
      let found: string | undefined;
      for (const argument of node.arguments) found ??= cardLike(argument, seen);
      return found;
    }
    let found: string | undefined;
    ts.forEachChild(node, (child) => {
      found ??= cardLike(child, seen);
    });
    return found;
  }

  /** The rows of an .each / .for table, when they are written in this file. */
  function tableRows(node: ts.Expression, seen: Set<string> = new Set()): ts.Expression[] | undefined {
    const table = unwrap(node);
    if (ts.isIdentifier(table)) {
      const initializer = seen.has(table.text) ? undefined : constInitializers.get(table.text);
      return initializer === undefined ? undefined : tableRows(initializer, new Set([...seen, table.text]));
    }
    if (!ts.isArrayLiteralExpression(table)) return undefined;
    const rows: ts.Expression[] = [];
    for (const element of table.elements) {
      if (ts.isSpreadElement(element)) {
        const spread = tableRows(element.expression, seen);
        if (spread === undefined) return undefined;
        rows.push(...spread);
      } else {
        rows.push(unwrap(element));
      }
    }
    return rows;
  }

  function propertyOf(row: ts.ObjectLiteralExpression, path: string): ts.Node | undefined {
    const [first, ...rest] = path.split('.');
    for (const property of row.properties) {
      if (property.name !== undefined && property.name.getText(source).replace(/^['"]|['"]$/gu, '') === first) {
        if (ts.isShorthandPropertyAssignment(property)) return property.name;
        if (!ts.isPropertyAssignment(property)) return property;
        const value = unwrap(property.initializer);
        if (rest.length === 0) return value;
        return ts.isObjectLiteralExpression(value) ? propertyOf(value, rest.join('.')) : value;
      }
    }
    return undefined;
  }

  function checkTable(title: string, table: ts.Expression): string | undefined {
    const rows = tableRows(table);
    for (const [, path] of title.matchAll(DOLLAR_PATH)) {
      if (isSensitivePath(path!)) return `$${path} names a card number`;
      for (const row of rows ?? []) {
        if (!ts.isObjectLiteralExpression(row)) continue;
        const value = propertyOf(row, path!);
        const why = value === undefined ? undefined : cardLike(value);
        if (why !== undefined) return `$${path} prints ${why}`;
      }
    }
    let column = 0;
    for (const [placeholder] of title.matchAll(PRINTF)) {
      if (placeholder === '%%' || placeholder === '%#') continue;
      for (const row of rows ?? []) {
        if (ts.isObjectLiteralExpression(row)) continue;
        const cell = ts.isArrayLiteralExpression(row) ? row.elements[column] : column === 0 ? row : undefined;
        const why = cell === undefined ? undefined : cardLike(cell);
        if (why !== undefined) return `${placeholder} (column ${column + 1}) prints ${why}`;
      }
      column += 1;
    }
    return undefined;
  }

  /** For `it.each(table).only(...)` & co.: the root name and, if any, the .each / .for table. */
  function testApiOf(callee: ts.Expression): { api: string; table?: ts.Expression } | undefined {
    let node = callee;
    let table: ts.Expression | undefined;
    for (;;) {
      if (ts.isIdentifier(node)) return TEST_APIS.has(node.text) ? { api: node.text, ...(table ? { table } : {}) } : undefined;
      if (ts.isPropertyAccessExpression(node)) {
        node = node.expression;
      } else if (ts.isCallExpression(node)) {
        const method = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : '';
        if ((method === 'each' || method === 'for') && node.arguments[0] !== undefined) table = node.arguments[0];
        node = node.expression;
      } else {
        return undefined;
      }
    }
  }

  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    const isModifierCall = ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
      MODIFIER_CALLS.has(node.expression.name.text);
    if (ts.isCallExpression(node) && node.arguments.length > 0 && !isModifierCall) {
      const api = testApiOf(node.expression);
      const titleNode = node.arguments[0]!;
      if (api !== undefined && !ts.isFunctionLike(titleNode)) {
        // Reported with digit runs masked: a failure message must not print the number it complains about.
        const title = titleNode.getText(source).replace(new RegExp(DIGIT_RUN.source, 'gu'), '<digits>');
        const line = source.getLineAndCharacterOfPosition(titleNode.getStart(source)).line + 1;
        const titleText = ts.isStringLiteralLike(titleNode) ? titleNode.text : ts.isTemplateExpression(titleNode)
          ? [titleNode.head.text, ...titleNode.templateSpans.map((span) => span.literal.text)].join('\u0000')
          : undefined;
        let reason: string | undefined;
        if (titleText !== undefined && DIGIT_RUN.test(titleText)) reason = 'the title holds a 12–19 digit run';
        if (reason === undefined && !ts.isStringLiteralLike(titleNode)) {
          const spans = ts.isTemplateExpression(titleNode) ? titleNode.templateSpans.map((span) => span.expression) : [titleNode];
          for (const span of spans) reason ??= ((why) => (why === undefined ? undefined : `the title interpolates ${why}`))(cardLike(span));
        }
        if (reason === undefined && api.table !== undefined && titleText !== undefined) reason = checkTable(titleText, api.table);
        if (reason !== undefined) findings.push({ line, title, reason });
      }
    }
    ts.forEachChild(node, visit);
  };
  return { findings: () => (visit(source), findings) };
}

function scanTestTitles(fileName: string, text: string): Finding[] {
  return scanner(ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)).findings();
}

function testFiles(): string[] {
  return (readdirSync(TEST_ROOT, { recursive: true, encoding: 'utf8' }))
    .filter((path) => path.endsWith('.ts'))
    .map((path) => join(TEST_ROOT, path))
    .sort();
}

describe('test output hygiene: no card number in a test title', () => {
  it('no test file names a case by a card number or a plaintext block', () => {
    const findings = testFiles().flatMap((file) =>
      scanTestTitles(file, readFileSync(file, 'utf8')).map((f) => `${relative(TEST_ROOT, file)}:${f.line}: ${f.reason}: ${f.title}`));
    expect(findings).toEqual([]);
  });

  // The scanner itself, on small sources. Digit runs are built at run time so that no number sits in this file.
  const run = '1'.repeat(16);
  const flagged = (source: string): boolean => scanTestTitles('sample.ts', source).length > 0;

  it.each([
    ['a digit run in a literal title', `it('reads ${run}', () => {});`],
    ['a spaced digit run in a title', `describe('reads ${run.replace(/(\d{4})(?=\d)/gu, '$1 ')}', () => {});`],
    ['a template title interpolating a pan', 'it(`reads ${pan}`, () => {});'],
    ['a template title interpolating a const holding a digit run', `const c = '${run}'; it(\`reads \${c}\`, () => {});`],
    ['a printf column of digit runs', `it.each([['visa', '${run}']])('%s: %s', () => {});`],
    ['a printf column read from a named table', `const T = [['visa', '${run}']] as const; it.each(T)('%s %s', () => {});`],
    ['a printf column of TEST_CARDS entries', "it.each([[TEST_CARDS.visa, 'RESULT']])('card %s → %s', () => {});"],
    ['a %j column holding a digit run', `test.each([[{ digits: '${run}' }]])('input %j', () => {});`],
    ['a $pan title over object rows', "it.each([{ brand: 'visa', pan: x }])('$brand $pan', () => {});"],
    ['a $field holding a digit run', `describe.each([{ block: '00${run}' }])('block $block', () => {});`],
    ['a single-value table of digit runs', `it.for(['${run}'])('%s', () => {});`],
    ['a modifier chain', `it.concurrent.each([['${run}']]).skip('%s', () => {});`],
  ])('flags %s', (_case, source) => {
    expect(flagged(source)).toBe(true);
  });

  it.each([
    ['a brand name and an index', `it.each([['visa', '${run}']])('test number %# is %s', () => {});`],
    ['columns after the printed ones', `it.each([['visa', 'RESULT', '${run}']])('%s → %s', () => {});`],
    ['a card name path', "it.each([{ card: { name: 'visa' } }])('$card.name', () => {});"],
    ['expiry dates and short numbers', "it.each([['1230', 42, '0x1FFFF']])('%s %d %s', () => {});"],
    ['a digit run outside any title', `const pan = '${run}'; it('reads the card', () => { expect(pan).toBeDefined(); });`],
    ['a percent sign', `it.each([['${run}']])('100%% of %#', () => {});`],
  ])('does not flag %s', (_case, source) => {
    expect(flagged(source)).toBe(false);
  });
});
