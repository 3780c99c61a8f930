/**
 * The store's JSON API. The page never sends a card number: it posts the keypad's entry result (ciphertext +
 * KSN) to /api/cards, which asks the token service for a one-time token, and /api/authorizations spends that
 * token at 「確認画面に進む」 (与信). Outcomes become the store's four messages: declined → CARD_SERVICE,
 * unavailable → TEMPORARY; the payment stand-ins' refusals as PAYMENT_FAILURE_TABLE says (a block posted twice:
 * 409 REPLAYED_KSN, ENTRY_TIMEOUT).
 *
 *   GET  /api/settings        → StoreSettings          PUT /api/settings  (fields to change) → StoreSettings
 *   GET  /api/card-services   → [{ id, nameJa }]       GET /api/store-messages → { CARD_SERVICE: "…", … }
 *   POST /api/cards           { keySerialNumber, encryptedBlock, keySetId?, brand?, last?, sessionId? } → 201 { token, brand, last3 }
 *   POST /api/authorizations  { token, amount }         → 200 { status: "approved", authorizationId, amount, brand, last3 }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STORE_MESSAGES, TENKEY_ERROR_CODES } from '../host-driver/errors.js';
import { acceptedBrandsOf, CARD_SERVICES, findCardService } from '../host-driver/services.js';
import { PaymentSimError, type PaymentServices } from '../payment-sim/index.js';
import { PAYMENT_FAILURE_TABLE } from './payment-failures.js';
import { onlyFields, readJsonObject, sendJson, StoreApiError } from './http-json.js';
import { applySettingsChange, StoreSettingsError, type StoreSettings } from './store-settings.js';

export interface StoreState {
  settings: StoreSettings;
  readonly payments: PaymentServices;
}

const STORE_MESSAGE_TEXTS = Object.fromEntries(TENKEY_ERROR_CODES.map((code) => [code, STORE_MESSAGES[code].ja]));

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new StoreApiError(400, 'BAD_REQUEST', 'BAD_FIELD', `${field} must be a non-empty string`);
  return value;
}

/** A payment stand-in's refusal, answered as PAYMENT_FAILURE_TABLE says. */
function paymentFailure(error: unknown): never {
  if (!(error instanceof PaymentSimError)) throw error;
  const { status, outcome } = PAYMENT_FAILURE_TABLE[error.code];
  throw new StoreApiError(status, outcome, error.code, error.message);
}

function postCard(state: StoreState, body: Record<string, unknown>): { token: string; brand: string; last3: string } {
  onlyFields(body, ['keySerialNumber', 'encryptedBlock', 'keySetId', 'brand', 'last', 'sessionId']);
  const request = { keySerialNumber: stringField(body, 'keySerialNumber'), encryptedBlock: stringField(body, 'encryptedBlock') };
  const keySetId = body.keySetId === undefined ? undefined : stringField(body, 'keySetId');
  let card;
  try {
    card = state.payments.tokens.tokenize(keySetId === undefined ? request : { ...request, keySetId });
  } catch (error) {
    paymentFailure(error);
  }
  // The keypad already refuses brands the service does not take; the store checks again on what it decrypted.
  const accepted = acceptedBrandsOf(findCardService(state.settings.service) ?? CARD_SERVICES[0]!);
  if (accepted.length > 0 && !accepted.includes(card.brand)) {
    throw new StoreApiError(422, 'CARD_SERVICE', 'UNSUPPORTED_BRAND', `${card.brand} is not accepted by ${state.settings.service}`);
  }
  return card;
}

function postAuthorization(state: StoreState, body: Record<string, unknown>): Record<string, unknown> {
  onlyFields(body, ['token', 'amount']);
  const token = stringField(body, 'token');
  let result;
  try {
    result = state.payments.authorizations.authorize(token, { amount: body.amount as number });
  } catch (error) {
    if (error instanceof PaymentSimError && error.code === 'BAD_INPUT') throw new StoreApiError(400, 'BAD_REQUEST', 'BAD_FIELD', error.message);
    paymentFailure(error);
  }
  switch (result.outcome) {
    case 'approved':
      return { status: 'approved', authorizationId: result.authorizationId, amount: result.amount, brand: result.brand, last3: result.last3 };
    case 'declined':
      throw new StoreApiError(402, 'CARD_SERVICE', result.reason, 'the card service declined the authorization');
    case 'unavailable':
      throw new StoreApiError(503, 'TEMPORARY', 'SERVICE_UNAVAILABLE', 'the card service is unavailable');
  }
}

/** Handles /api/*; throws StoreApiError for anything it refuses. */
export async function handleApi(state: StoreState, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  const route = (allowed: string): void => {
    if (method !== allowed) {
      res.setHeader('Allow', allowed);
      throw new StoreApiError(405, 'METHOD_NOT_ALLOWED', 'METHOD_NOT_ALLOWED', `${path} takes ${allowed}`);
    }
  };
  switch (path) {
    case '/api/settings':
      if (method === 'PUT') {
        try {
          state.settings = applySettingsChange(state.settings, await readJsonObject(req));
        } catch (error) {
          if (error instanceof StoreSettingsError) throw new StoreApiError(400, 'BAD_REQUEST', 'BAD_SETTING', error.message);
          throw error;
        }
      } else if (method !== 'GET') {
        res.setHeader('Allow', 'GET, PUT');
        throw new StoreApiError(405, 'METHOD_NOT_ALLOWED', 'METHOD_NOT_ALLOWED', `${path} takes GET or PUT`);
      }
      return sendJson(res, 200, state.settings);
    case '/api/card-services':
      route('GET');
      return sendJson(res, 200, CARD_SERVICES.map(({ id, nameJa }) => ({ id, nameJa })));
    case '/api/store-messages':
      route('GET');
      return sendJson(res, 200, STORE_MESSAGE_TEXTS);
    case '/api/cards':
      route('POST');
      return sendJson(res, 201, postCard(state, await readJsonObject(req)));
    case '/api/authorizations':
      route('POST');
      return sendJson(res, 200, postAuthorization(state, await readJsonObject(req)));
    default:
      throw new StoreApiError(404, 'NOT_FOUND', 'NOT_FOUND', `no endpoint ${path}`);
  }
}
