/**
 * 利用サービス (the store's card service setting) → the brands that service accepts. The driver sends the set in
 * START_ENTRY so the keypad refuses other brands at once (UNSUPPORTED_BRAND → CARD_SERVICE), before anything
 * reaches the service. The table itself lives in protocol/card-services.ts, shared with the simulator.
 */
import { tenkeyError, type TenkeyError } from './errors.js';
import { unknownServiceDetail } from '../protocol/card-services.js';

export { CARD_SERVICES, findCardService, acceptedBrandsOf, cardServiceIds, unknownServiceDetail, type CardService } from '../protocol/card-services.js';

/** CONNECTION / UNKNOWN_SERVICE for a 利用サービス no card service answers to (the name shown printable, the valid ids listed). */
export function unknownServiceError(service: string): TenkeyError {
  return tenkeyError('UNKNOWN_SERVICE', unknownServiceDetail(service));
}
