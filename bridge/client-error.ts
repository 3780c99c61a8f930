/**
 * Requests Node's own HTTP parser refuses before any handler sees them: a lowercase or unknown method, headers over
 * the size limit, Content-Length together with Transfer-Encoding, headers that arrive too slowly. Left to Node they
 * get a bare 400/431/408 with no body and no log line; HTTP-API.md says every non-2xx answer is JSON. Both of our
 * servers (the bridge and the demo store, which shares the error shape) answer them here.
 */
import { maxHeaderSize, STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { printableText } from '../protocol/printable-text.js';
import { JSON_RESPONSE_HEADERS } from './json-response.js';
import { RequestProblem } from './request-problem.js';

/** What one refused request was (for the server's log line): no body, no query string, digit runs masked. */
export interface ClientErrorEntry {
  /** The method and path, when the request line could be read; `-` otherwise. */
  method: string;
  path: string;
  /** The status answered (or that would have been, had the client still been there). */
  status: number;
  /** The problem's code: BAD_REQUEST, HEADERS_TOO_LARGE, REQUEST_TIMEOUT, PAYLOAD_TOO_LARGE. */
  code: string;
  /** Node's parser code, e.g. HPE_INVALID_METHOD. */
  parserCode: string;
}

/** A client still sending (the rest of an oversized header) holds the socket no longer than this after the answer. */
const LINGER_MS = 2000;

type ParserError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

/** The problem a parser error is, in the contract's codes. */
function problemOf(error: ParserError): RequestProblem {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new RequestProblem('HEADERS_TOO_LARGE', `request headers over ${maxHeaderSize} bytes`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestProblem('REQUEST_TIMEOUT', 'the request did not arrive in time');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new RequestProblem('PAYLOAD_TOO_LARGE', 'chunk extensions too large');
    case 'HPE_INVALID_METHOD':
      return new RequestProblem('BAD_REQUEST', 'not an HTTP method (methods are upper case: GET, POST, DELETE, OPTIONS)');
    default:
      // llhttp's reason names the fault, e.g. "Transfer-Encoding can't be present with Content-Length".
      return new RequestProblem('BAD_REQUEST', `malformed HTTP request: ${printableText(error.reason ?? error.code ?? 'unknown', 100)}`);
  }
}

/** Parser errors carry a code (HPE_…) or are a timeout; anything else is the connection failing (a reset): nobody to answer. */
function isRequestError(error: ParserError): boolean {
  return typeof error.code === 'string' && (error.code.startsWith('HPE_') || error.code === 'ERR_HTTP_REQUEST_TIMEOUT');
}

/** The method and path of the request line, if the packet starts with one. */
function requestLineOf(raw: Buffer | undefined): { method: string; path: string } {
  const line = /^([!-~]{1,16}) ([^\s?]{1,2000})/.exec(raw?.subarray(0, 2100).toString('latin1') ?? '');
  return line ? { method: printableText(line[1]!, 16), path: printableText(line[2]!, 200) } : { method: '-', path: '-' };
}

/** The answer as bytes on the wire: the JSON every bridge error carries, and `Connection: close`. */
function rawAnswer(problem: RequestProblem): string {
  const body = JSON.stringify({ error: problem.toJSON() });
  const headers = { ...JSON_RESPONSE_HEADERS, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n${head}\r\n${body}`;
}

/** The response still being made on this socket for an earlier (pipelined) request, if any: Node's own field for it. */
function responseInFlight(socket: Duplex): ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/** Answers every request `server`'s parser refuses with the contract's JSON, once per connection, and reports it. */
export function answerClientErrors(server: Server, report: (entry: ClientErrorEntry) => void): void {
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: ParserError, socket: Duplex) => {
    // Node may report a broken parser again for data still arriving: one answer, one line per connection.
    if (answered.has(socket)) return;
    answered.add(socket);
    if (!isRequestError(error)) {
      socket.destroy();
      return;
    }
    const problem = problemOf(error);
    try {
      report({ ...requestLineOf(error.rawPacket), status: problem.status, code: problem.code, parserCode: printableText(error.code ?? '-', 40) });
    } catch {
      // A logger's failure must not take the server down.
    }
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const inFlight = responseInFlight(socket);
    if (inFlight && !inFlight.req.complete) {
      // Its own body stalled (a slow or silent client): the handler still waits for that body, so its answer would
      // never come and the socket would be held for ever. Close it; the handler sees its request aborted.
      socket.destroy();
      return;
    }
    if (inFlight) {
      // An answer now would come before (or inside) the earlier request's: that one is finished, then the connection closed.
      inFlight.once('close', () => socket.destroy());
      return;
    }
    // end(), not destroy(): closing with unread bytes would reset the connection and lose the answer on its way.
    socket.on('error', () => {});
    socket.resume();
    socket.end(rawAnswer(problem));
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
