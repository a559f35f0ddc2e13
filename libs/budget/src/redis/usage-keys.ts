import { BudgetPeriod, BudgetScope, BudgetWindow, windowOf } from '../windows';

/** One budget counter: a scope's subject over one period window. */
export interface CounterRef {
  scope: BudgetScope;
  period: BudgetPeriod;
  /** Tenant id (scope tenant) or user id (scope user); null: a user-less event (never seeded). */
  subjectId: string | null;
  window: BudgetWindow;
  key: string;
}

/** The four counters of a call, always in this order (matching the admit script's KEYS 3..6). */
export const COUNTER_ORDER: readonly { scope: BudgetScope; period: BudgetPeriod }[] = [
  { scope: 'user', period: 'daily' },
  { scope: 'user', period: 'monthly' },
  { scope: 'tenant', period: 'daily' },
  { scope: 'tenant', period: 'monthly' },
];

/** After a window ends its counter lingers this long, for late settlements. */
export const COUNTER_GRACE_S = 2 * 3_600;

/**
 * Redis key names. Everything of one tenant shares the hash tag `{tenantId}`, so each script
 * touches one cluster slot. `prefix` is the deployment's `QUEUE_PREFIX`.
 */
export class UsageKeys {
  constructor(private readonly prefix: string) {}

  private base(tenantId: string): string {
    return `${this.prefix}:bud:{${tenantId}}`;
  }

  counters(tenantId: string, userId: string | null, at: Date): CounterRef[] {
    return COUNTER_ORDER.map(({ scope, period }) => {
      const window = windowOf(period, at);
      const subjectId = scope === 'tenant' ? tenantId : userId;
      const subject = scope === 'tenant' ? 't' : `u:${userId ?? 'none'}`;
      return { scope, period, subjectId, window, key: `${this.base(tenantId)}:c:${subject}:${period === 'daily' ? 'd' : 'm'}:${window.id}` };
    });
  }

  reservationIndex(tenantId: string): string {
    return `${this.base(tenantId)}:rz`;
  }

  recordPrefix(tenantId: string): string {
    return `${this.base(tenantId)}:r:`;
  }

  reservation(tenantId: string, reservationId: string): string {
    return `${this.recordPrefix(tenantId)}${reservationId}`;
  }

  /** Billing's idempotency marker for an event that ran without a reservation. */
  eventMarker(tenantId: string, eventId: string): string {
    return `${this.base(tenantId)}:e:${eventId}`;
  }

  /** Sliding-window request log (zset) and token amounts (hash) of an API key or a user. */
  rate(tenantId: string, subject: 'k' | 'u', id: string | null): { log: string; tokens: string } {
    const log = `${this.prefix}:rl:{${tenantId}}:${subject}:${id ?? 'none'}`;
    return { log, tokens: `${log}:t` };
  }

  /** Every key of a tenant (tests and the Redis-loss drill). */
  tenantPattern(tenantId: string): string[] {
    return [`${this.base(tenantId)}:*`, `${this.prefix}:rl:{${tenantId}}:*`];
  }
}

/** Seconds a counter of `window` should live from `now`: to the window's end plus a grace. */
export function counterTtlSeconds(window: BudgetWindow, now: Date): number {
  return Math.max(1, Math.ceil((window.end.getTime() - now.getTime()) / 1_000)) + COUNTER_GRACE_S;
}
