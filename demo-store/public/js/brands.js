// Display names of the protocol's brand identifiers (credit-card-type's names).
const BRAND_LABELS = {
  visa: 'VISA',
  mastercard: 'Mastercard',
  'american-express': 'AMEX',
  'diners-club': 'Diners Club',
  discover: 'Discover',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
  mir: 'MIR',
  elo: 'Elo',
  hiper: 'Hiper',
  hipercard: 'Hipercard',
  unknown: 'その他',
};

// Where a brand's printed number has its spaces, and its usual length: credit-card-type's `gaps` and first
// `lengths`, copied because the pages load no npm modules (test/demo-store/brands.test.ts compares the two).
export const BRAND_GAPS = {
  'american-express': [4, 10],
  'diners-club': [4, 10],
};
export const DEFAULT_GAPS = [4, 8, 12];
export const BRAND_LENGTHS = { 'american-express': 15, 'diners-club': 14 };
export const DEFAULT_LENGTH = 16;

export function brandLabel(brand) {
  return BRAND_LABELS[brand] ?? String(brand);
}

/**
 * What the store shows of a card: one ● per hidden digit and the last 3 digits (the manual's 下3桁), spaced as
 * the brand prints its numbers (Amex 4-6-5, most others 4-4-4-4). `length` is the number's digit count, as the
 * popup counted it; without it, the brand's usual length.
 */
export function maskedCard(last3, brand, length) {
  const digits = Number.isInteger(length) && length > last3.length ? length : BRAND_LENGTHS[brand] ?? DEFAULT_LENGTH;
  const gaps = BRAND_GAPS[brand] ?? DEFAULT_GAPS;
  const shown = '●'.repeat(digits - last3.length) + last3;
  let text = '';
  for (let i = 0; i < shown.length; i++) text += (gaps.includes(i) ? ' ' : '') + shown[i];
  return text;
}

/** An amount as Japanese stores print it: 3,980円. */
export function yen(amount) {
  return `${Number(amount).toLocaleString('ja-JP')}円`;
}
