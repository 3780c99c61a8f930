/**
 * 利用サービス on the keypad itself: the card service the simulated keypad is configured for, and so the brands
 * it accepts. A host that sends its own set (START_ENTRY.acceptedBrands) can only narrow it for that session,
 * never widen it: the effective set is the intersection (PROTOCOL.md §9.6). The table is
 * protocol/card-services.ts, the same one the driver uses, so `tenkey sim --service X` and
 * `tenkey read --service X` always agree.
 */
import { printableText } from '../protocol/printable-text.js';
import type { Brand } from '../protocol/messages.js';
import { maskToBrands, ALL_BRANDS_MASK } from '../protocol/brands.js';
import { CodedError } from '../protocol/coded-error.js';
import {
  CARD_SERVICES, DEFAULT_CARD_SERVICE_ID, acceptedBrandsOf, findCardService, unknownServiceDetail, type CardService,
} from '../protocol/card-services.js';

export type KeypadService = CardService;
export const KEYPAD_SERVICES = CARD_SERVICES;
export const DEFAULT_SERVICE_ID = DEFAULT_CARD_SERVICE_ID;

export class UnknownServiceError extends CodedError<'UNKNOWN_SERVICE'> {
  constructor(readonly service: string) {
    super('UNKNOWN_SERVICE', unknownServiceDetail(service));
  }
}

/** The service by id (case-insensitive; 'any' is an alias of 'all') or Japanese name; throws UnknownServiceError. */
export function findKeypadService(name: string = DEFAULT_SERVICE_ID): KeypadService {
  const service = findCardService(name);
  if (service === undefined) throw new UnknownServiceError(name);
  return service;
}

/** The entry machine's accepted set: empty = no restriction. */
export const entryBrandsOf: (service: KeypadService) => readonly Brand[] = acceptedBrandsOf;

/**
 * The brands one entry accepts (empty = no restriction): the host's set narrowed to the service's. 'none' when
 * the two sets share no brand, so no card could ever be accepted.
 */
export function sessionBrandsOf(service: KeypadService, requested: readonly Brand[]): readonly Brand[] | 'none' {
  if (requested.length === 0) return entryBrandsOf(service);
  if (service.brands === 'all') return [...requested];
  const configured = service.brands;
  const common = requested.filter((brand) => configured.includes(brand));
  return common.length === 0 ? 'none' : common;
}

/** INFO.acceptedBrands: every brand the protocol names when the service takes all. */
export function infoBrandsOf(service: KeypadService): Brand[] {
  return service.brands === 'all' ? maskToBrands(ALL_BRANDS_MASK) : [...service.brands];
}
