/** Budget periods. Windows are UTC calendar days and months; a cap resets at the window's end. */
export type BudgetPeriod = 'daily' | 'monthly';
/** Whose spend a cap limits: the tenant's, a user's, or one API key's (a key has no tier default). */
export type BudgetScope = 'tenant' | 'user' | 'key';

export interface BudgetWindow {
  period: BudgetPeriod;
  /** `20261122` (daily) or `202611` (monthly): part of the Redis key. */
  id: string;
  start: Date;
  /** Exclusive end: when the cap resets. */
  end: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function windowOf(period: BudgetPeriod, at: Date): BudgetWindow {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  if (period === 'daily') {
    const d = at.getUTCDate();
    return { period, id: `${y}${pad(m + 1)}${pad(d)}`, start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
  }
  return { period, id: `${y}${pad(m + 1)}`, start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

/** Start of the UTC hour holding `at`. */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/** Start of the UTC day holding `at`, as Prisma wants a `@db.Date`. */
export function dayOf(at: Date): Date {
  return windowOf('daily', at).start;
}
