/**
 * binary-parser's generated code, compiled once without its per-call prologue and epilogue.
 *
 * `Parser.parse(buffer)` runs code that binary-parser generates from the Parser definition, wrapped in
 * three lines that cost far more than the field reads of a short payload (Node 20, measured):
 *   `var dataView = new DataView(buffer.buffer, …)`  ≈ 65 ns (the DataView constructor is not inlined)
 *   `delete vars.$parent; delete vars.$root;`       ≈ 55 ns (deleting from a fast object is a runtime call)
 * while the reads of an 8-byte KEY payload take ≈ 2 ns. The `$parent`/`$root` pair only serves nested
 * parsers and user functions that look up other fields; our message parsers use neither. So we take the generated
 * code (`getCode()`: the field reads, offsets and sub-buffers stay binary-parser's), drop those lines,
 * and take the DataView as an argument that the caller caches per scratch window.
 *
 * If a binary-parser release generates a different wrapper, `compileParser` falls back to `parse()`
 * (same results, old speed); a test asserts the fast path is in use.
 */
// The typings' own path: binary-parser's package "exports" do not point at them (consumers resolve this too).
import type { Parser } from 'binary-parser/dist/binary_parser.js';

/** A compiled parser: `buffer` is the payload, `view` a DataView over exactly the same bytes. */
export type CompiledParse<T> = (buffer: Uint8Array, view: DataView) => T;

export interface CompiledParser<T> {
  parse: CompiledParse<T>;
  /** True when the prologue/epilogue were stripped; false on the `Parser.parse` fallback. */
  readonly fast: boolean;
}

const PROLOGUE = 'var dataView = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);\n';
/** Bookkeeping for nested parsers, set at the start and deleted at the end of every top-level parse. */
const CONTEXT_LINES = ['vars.$parent = null;\n', 'vars.$root = vars;\n', 'delete vars.$parent;\n', 'delete vars.$root;\n'];

/** The bits of binary-parser's Parser this relies on (getContext is private in its typings). */
interface ParserInternals {
  getContext(importPath: string): { code: string; imports: unknown[] };
  constructorFn?: new () => unknown;
}

/** Compiles `parser` for repeated calls on a caller-supplied DataView. */
export function compileParser<T>(parser: Parser): CompiledParser<T> {
  const internals = parser as unknown as ParserInternals;
  const fallback: CompiledParser<T> = { parse: (buffer) => parser.parse(buffer) as T, fast: false };
  let context: { code: string; imports: unknown[] };
  try {
    context = internals.getContext('imports');
  } catch {
    return fallback;
  }
  let code = context.code;
  if (!code.startsWith(PROLOGUE)) return fallback;
  code = code.slice(PROLOGUE.length);
  for (const line of CONTEXT_LINES) {
    if (code.split(line).length !== 2) return fallback;
    code = code.replace(line, '');
  }
  // Anything else that can see the context still needs the library's wrapper: generated code naming it
  // (useContextVars, aliases) or user functions (assert, formatter, lengths given as functions) called on `vars`.
  if (context.imports.length > 0 || code.includes('$parent') || code.includes('$root') || !code.includes('return vars;')) {
    return fallback;
  }
  // Same factory shape as binary-parser's own compile(), with the result class bound in the closure and the
  // DataView as an argument. Returned as is (no wrapper arrow): each parser is then its own function that
  // V8 can inline where it is called; one shared wrapper shape would be a "many closures" call it cannot.
  const parse = new Function('imports', 'TextDecoder', 'constructorFn', `return function (buffer, dataView) { ${code} };`)(
    context.imports, TextDecoder, internals.constructorFn,
  ) as CompiledParse<T>;
  return { parse, fast: true };
}
