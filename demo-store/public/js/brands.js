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

export function brandLabel(brand) {
  return BRAND_LABELS[brand] ?? String(brand);
}

/** What the store shows of a card: brand and ●●●● with the last 3 digits. */
export function maskedCard(last3) {
  return `●●●● ●●●● ●●●● ${last3}`;
}
