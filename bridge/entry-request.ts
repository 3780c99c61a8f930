/** The body of `POST /entries` (HTTP-API.md): optional fields, unknown ones refused, each bad value named. */
import { DEFAULT_INACTIVITY_TIMEOUT_S, ENTRY_SESSION_CAP_S } from '../protocol/constants.js';
import { printableText } from '../protocol/printable-text.js';
import { RequestProblem } from './request-problem.js';

export interface EntryRequest {
  /** 利用サービス for this entry; undefined = the bridge's `--service`. Checked against CARD_SERVICES by the route. */
  service: string | undefined;
  timeoutSeconds: number;
  expiryRequired: boolean;
}

const FIELDS: ReadonlySet<string> = new Set(['service', 'timeoutSeconds', 'expiryRequired']);

/** The entry request a body asks for (undefined body = all defaults). Throws RequestProblem BAD_REQUEST. */
export function entryRequestOf(body: unknown): EntryRequest {
  if (body === undefined) return { service: undefined, timeoutSeconds: DEFAULT_INACTIVITY_TIMEOUT_S, expiryRequired: true };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestProblem('BAD_REQUEST', 'body must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) {
    throw new RequestProblem('BAD_REQUEST', `unknown field "${printableText(unknown, 40)}" (known: ${[...FIELDS].join(', ')})`);
  }
  const { service, timeoutSeconds = DEFAULT_INACTIVITY_TIMEOUT_S, expiryRequired = true } = fields;
  if (service !== undefined && (typeof service !== 'string' || service.trim() === '')) {
    throw new RequestProblem('BAD_REQUEST', 'service must be a card service id or name (a non-empty string)');
  }
  if (typeof timeoutSeconds !== 'number' || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > ENTRY_SESSION_CAP_S) {
    throw new RequestProblem('BAD_REQUEST', `timeoutSeconds must be an integer from 1 to ${ENTRY_SESSION_CAP_S}`);
  }
  if (typeof expiryRequired !== 'boolean') throw new RequestProblem('BAD_REQUEST', 'expiryRequired must be true or false');
  return { service, timeoutSeconds, expiryRequired };
}
