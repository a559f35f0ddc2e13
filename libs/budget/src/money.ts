/**
 * Money on the enforcement path is counted in integer nano-dollars (1e-9 USD): Redis counters and
 * Lua arithmetic stay exact (doubles hold integers up to 2^53, about 9 million USD), and a
 * ten-token call on the cheapest model still costs a non-zero amount. The ledger keeps the same
 * value as a decimal with nine places, so Redis totals and ledger sums agree exactly.
 */
export const NANO_PER_USD = 1_000_000_000;

/** USD → nano-dollars, rounded to the nearest unit (charges). */
export function toNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

/** USD → nano-dollars, rounded up (reservations must never undershoot). */
export function toNanoCeil(usd: number): number {
  return Math.ceil(usd * NANO_PER_USD - 1e-6) || 0;
}

export function fromNano(nano: number): number {
  return nano / NANO_PER_USD;
}

/** Nano-dollars as a decimal string with nine places, for Postgres decimals. */
export function nanoToDecimalString(nano: number): string {
  const sign = nano < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(nano));
  const whole = Math.floor(abs / NANO_PER_USD);
  const fraction = String(abs % NANO_PER_USD).padStart(9, '0');
  return `${sign}${whole}.${fraction}`;
}

/** A Postgres decimal (Prisma `Decimal` or its string form) → nano-dollars. */
export function decimalToNano(value: { toFixed(digits: number): string } | string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const text = typeof value === 'object' ? value.toFixed(9) : typeof value === 'number' ? value.toFixed(9) : value;
  const match = /^(-?)(\d+)(?:\.(\d{0,9})\d*)?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const nano = Number(whole) * NANO_PER_USD + Number(fraction.padEnd(9, '0'));
  return sign === '-' ? -nano : nano;
}

/** USD for display: nano-dollars rounded to a millionth of a dollar. */
export function displayUsd(nano: number): number {
  return Math.round(nano / 1_000) / 1_000_000;
}
