/** Writes a JSON answer: every bridge answer but the event stream is one. */
import type { ServerResponse } from 'node:http';

/** The headers of every JSON answer, besides Content-Length. */
export const JSON_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  // Answers hold per-entry tokens and keypad state: never cached.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    ...JSON_RESPONSE_HEADERS,
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
