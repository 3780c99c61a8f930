/** JSON in and out for the store's API: bounded bodies, one error shape (the bridge's), never a body in a log. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STORE_MESSAGES, type TenkeyErrorCode } from '../host-driver/errors.js';
import { printableText } from '../protocol/printable-text.js';
import { redactDigits } from '../protocol/redact-digits.js';
import { CodedError } from '../protocol/coded-error.js';

/** Entry results and settings are a few hundred bytes. */
export const MAX_BODY_BYTES = 4096;

export type RequestProblemCode = 'BAD_REQUEST' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'FORBIDDEN_HOST';

/** Answered as `{ error: { code, cause, message, messageJa, detail? } }` with `status`. */
export class StoreApiError extends CodedError<TenkeyErrorCode | RequestProblemCode> {
  constructor(
    readonly status: number,
    code: TenkeyErrorCode | RequestProblemCode,
    readonly errorCause: string,
    readonly detail?: string,
  ) {
    super(code, Object.hasOwn(STORE_MESSAGES, code) ? STORE_MESSAGES[code as TenkeyErrorCode].en : redactDigits(detail ?? code));
  }

  toJSON(): { error: Record<string, string> } {
    // Request problems are integration bugs, not staff mistakes: the page shows TEMPORARY's words for them.
    const store = STORE_MESSAGES[Object.hasOwn(STORE_MESSAGES, this.code) ? (this.code as TenkeyErrorCode) : 'TEMPORARY'];
    return {
      error: {
        code: this.code, cause: this.errorCause, message: store.en, messageJa: store.ja,
        // A detail may quote what the client sent (a field name, a path): digit runs are masked as the bridge does.
        ...(this.detail === undefined ? {} : { detail: redactDigits(this.detail) }),
      },
    };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** The request's JSON body (an object); throws StoreApiError 415 / 413 / 400. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new StoreApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE', 'body must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume(); // drain the rest so the answer still reaches the client
      throw new StoreApiError(413, 'PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE', `body over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new StoreApiError(400, 'BAD_REQUEST', 'INVALID_JSON', 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StoreApiError(400, 'BAD_REQUEST', 'NOT_AN_OBJECT', 'body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Refuses fields outside `allowed` (so nothing else, a card number least of all, rides along unnoticed). */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw new StoreApiError(400, 'BAD_REQUEST', 'UNKNOWN_FIELD', `unknown field "${printableText(field, 60)}"`);
  }
}
