/**
 * Reads a request's JSON body (HTTP-API.md: `application/json`, at most 1 KiB). An empty body is no body; any
 * other is refused with 415, 413 or 400 before the bridge acts on it.
 */
import type { IncomingMessage } from 'node:http';
import { printableText } from '../protocol/printable-text.js';
import { RequestProblem } from './request-problem.js';

export const MAX_BODY_BYTES = 1024;
/** An oversized body is read and dropped up to this, so the client sees the 413 instead of a reset connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** The parsed body, or undefined when the request has none. Throws RequestProblem. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'];
  const declared = Number(request.headers['content-length'] ?? 0);
  const hasBody = request.headers['transfer-encoding'] !== undefined || declared > 0;
  if (type !== undefined && !isJsonType(type)) {
    throw new RequestProblem('UNSUPPORTED_MEDIA_TYPE', `body must be application/json, got "${printableText(type, 100)}"`);
  }
  if (declared > MAX_BODY_BYTES) throw new RequestProblem('PAYLOAD_TOO_LARGE', `body must be at most ${MAX_BODY_BYTES} bytes, Content-Length is ${declared}`);
  if (!hasBody) return undefined;
  if (type === undefined) throw new RequestProblem('UNSUPPORTED_MEDIA_TYPE', 'body must be application/json, Content-Type missing');

  const { text, size } = await readBounded(request);
  if (size > MAX_BODY_BYTES) throw new RequestProblem('PAYLOAD_TOO_LARGE', `body must be at most ${MAX_BODY_BYTES} bytes`);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // JSON.parse names the position; the body itself is never echoed (it might hold anything).
    throw new RequestProblem('BAD_REQUEST', `body is not valid JSON (${e instanceof Error ? e.message.replace(/"[^"]*"/g, '…').slice(0, 100) : 'parse error'})`);
  }
}

/** application/json, optionally with charset=utf-8. */
function isJsonType(type: string): boolean {
  const [essence, ...params] = type.split(';').map((part) => part.trim().toLowerCase());
  if (essence !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/**
 * The body's first MAX_BODY_BYTES as text and how much arrived. Events, not `for await`: leaving an async
 * iterator early destroys the socket, and the client must still get its 413.
 */
function readBounded(request: IncomingMessage): Promise<{ text: string; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      request.off('data', onData).off('end', done).off('error', onError).off('close', onClose);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), size });
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      // Enough dropped: answer now; the server discards whatever else comes.
      else if (size > DRAIN_LIMIT_BYTES) done();
    };
    const onError = (e: Error) => reject(e);
    const onClose = () => reject(new Error('request closed before its body ended'));
    request.on('data', onData).on('end', done).on('error', onError).on('close', onClose);
  });
}
