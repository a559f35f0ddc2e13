import { BudgetPeriod, BudgetScope, BudgetWindow, windowOf } from '../windows';

/** One budget counter: a scope's subject over one period window. */
export interface CounterRef {
  scope: BudgetScope;
  period: BudgetPeriod;
  /** Tenant id (scope tenant), user id (scope user) or API key id (scope key); null: a user-less or key-less event (never seeded). */
  subjectId: string | null;
  window: BudgetWindow;
  key: string;
}

/**
 * The six counters of a call, always in this order: the user's and tenant's (the admit script's
 * KEYS 3..6, always used), then the API key's (KEYS 11..12, used once seeded: when the key has a
 * cap, or had one in the window).
 */
export const COUNTER_ORDER: readonly { scope: BudgetScope; period: BudgetPeriod }[] = [
  { scope: 'user', period: 'daily' },
  { scope: 'user', period: 'monthly' },
  { scope: 'tenant', period: 'daily' },
  { scope: 'tenant', period: 'monthly' },
  { scope: 'key', period: 'daily' },
  { scope: 'key', period: 'monthly' },
];

const SUBJECT_TAG: Record<BudgetScope, string> = { tenant: 't', user: 'u', key: 'k' };

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

  /** The counters of a call by {@link COUNTER_ORDER}: user, tenant, then API key (`apiKeyId` null: a key-less call). */
  counters(tenantId: string, userId: string | null, at: Date, apiKeyId: string | null = null): CounterRef[] {
    return COUNTER_ORDER.map(({ scope, period }) => {
      const window = windowOf(period, at);
      const subjectId = scope === 'tenant' ? tenantId : scope === 'user' ? userId : apiKeyId;
      const subject = scope === 'tenant' ? 't' : `${SUBJECT_TAG[scope]}:${subjectId ?? 'none'}`;
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
