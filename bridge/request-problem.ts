/**
 * The bridge's answer to a request it will not serve (HTTP-API.md "Error bodies"): an HTTP status, a stable
 * code and a detail naming the problem. These are integration bugs, not staff mistakes, so the texts a page
 * shows are the store's TEMPORARY message.
 */
import { STORE_MESSAGES } from '../host-driver/errors.js';
import { CodedError } from '../protocol/coded-error.js';

export const REQUEST_PROBLEM_STATUS = {
  BAD_REQUEST: 400,
  BAD_TOKEN: 401,
  FORBIDDEN_ORIGIN: 403,
  FORBIDDEN_HOST: 403,
  NOT_FOUND: 404,
  NO_SUCH_ENTRY: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
} as const;
export type RequestProblemCode = keyof typeof REQUEST_PROBLEM_STATUS;

/** The `error` member of every non-2xx body. */
export interface ErrorJson {
  code: string;
  cause: string;
  message: string;
  messageJa: string;
  detail?: string;
}

export class RequestProblem extends CodedError<RequestProblemCode> {
  readonly status: number;
  /** What was wrong: the message, digit runs masked (it may quote what the client sent). */
  readonly detail: string;

  constructor(
    code: RequestProblemCode,
    detail: string,
    /** Extra response headers (`Allow` for 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, detail);
    this.detail = this.message;
    this.status = REQUEST_PROBLEM_STATUS[code];
  }

  toJSON(): ErrorJson {
    return { code: this.code, cause: this.code, message: STORE_MESSAGES.TEMPORARY.en, messageJa: STORE_MESSAGES.TEMPORARY.ja, detail: this.detail };
  }
}

export function isRequestProblem(e: unknown): e is RequestProblem {
  return e instanceof RequestProblem;
}
