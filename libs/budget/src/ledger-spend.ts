import { Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { decimalToNano } from './money';
import type { CounterRef } from './redis/usage-keys';
import type { SpendSource } from './redis/usage-controls';

/**
 * Ledger totals for a budget window, from the `usage_daily` aggregate (written in the same
 * transaction as each ledger row): the starting value of a Redis counter, and how budgets are
 * rebuilt after Redis lost its data.
 */
@Injectable()
export class LedgerSpend implements SpendSource {
  constructor(private readonly prisma: PrismaService) {}

  async spendOf(tenantId: string, counter: CounterRef): Promise<number> {
    if (counter.scope !== 'tenant' && counter.subjectId === null) return 0;
    if (counter.scope === 'key') return this.keySpendOf(tenantId, counter.subjectId as string, counter.window.start, counter.window.end);
    const result = await this.prisma.usageDaily.aggregate({
      _sum: { costUsd: true },
      where: {
        tenantId,
        ...(counter.scope === 'user' ? { userId: counter.subjectId as string } : {}),
        day: { gte: counter.window.start, lt: counter.window.end },
      },
    });
    return decimalToNano(result._sum.costUsd);
  }

  /**
   * An API key's spend in a window, from the ledger rows themselves (`usage_daily` has no key):
   * the `(tenant_id, api_key_id, occurred_at)` index bounds the scan to the key's rows. Only keys
   * with a cap are ever seeded, once per window (and after Redis lost the counters).
   */
  private async keySpendOf(tenantId: string, apiKeyId: string, from: Date, to: Date): Promise<number> {
    const result = await this.prisma.usageEvent.aggregate({
      _sum: { costUsd: true },
      where: { tenantId, apiKeyId, occurredAt: { gte: from, lt: to } },
    });
    return decimalToNano(result._sum.costUsd);
  }

  /**
   * {@link spendOf} for many counters in one statement (one round trip, no Prisma query cost):
   * for callers that check several windows at once, e.g. billing's cost alerts after a batch.
   * Same totals, in the order asked.
   */
  async spendOfMany(requests: readonly SpendRequest[]): Promise<number[]> {
    if (requests.some(({ counter }) => counter.scope === 'key')) {
      // Not asked on billing's path (its alerts watch tenant and user caps); one query each.
      return Promise.all(requests.map(({ tenantId, counter }) => this.spendOf(tenantId, counter)));
    }
    const rows = requests.flatMap(({ tenantId, counter }, i) =>
      counter.scope === 'user' && counter.subjectId === null
        ? []
        : [
            {
              i,
              tenant_id: tenantId,
              user_id: counter.scope === 'user' ? counter.subjectId : null,
              day_from: isoDate(counter.window.start),
              day_to: isoDate(counter.window.end),
            },
          ],
    );
    const totals = requests.map(() => 0);
    if (rows.length === 0) return totals;
    const { rows: sums } = await this.prisma.pg.query<{ i: number; spend: string }>({
      name: 'budget_ledger_spend_many_v1',
      text: SPEND_MANY_SQL,
      values: [JSON.stringify(rows)],
    });
    for (const { i, spend } of sums) totals[i] = decimalToNano(spend);
    return totals;
  }
}

/** One window total asked of {@link LedgerSpend.spendOfMany}. */
export interface SpendRequest {
  tenantId: string;
  counter: CounterRef;
}

const isoDate = (at: Date) => at.toISOString().slice(0, 10);

// Two branches so each uses its index: a tenant's total by (tenant_id, day), a user's by the
// primary key's (tenant_id, user_id, day) prefix.
const SPEND_MANY_SQL = `
WITH q AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS q(i integer, tenant_id uuid, user_id uuid, day_from date, day_to date)
)
SELECT q.i, COALESCE((SELECT sum(d.cost_usd) FROM usage_daily d
  WHERE d.tenant_id = q.tenant_id AND d.day >= q.day_from AND d.day < q.day_to), 0)::text AS spend
FROM q WHERE q.user_id IS NULL
UNION ALL
SELECT q.i, COALESCE((SELECT sum(d.cost_usd) FROM usage_daily d
  WHERE d.tenant_id = q.tenant_id AND d.user_id = q.user_id AND d.day >= q.day_from AND d.day < q.day_to), 0)::text AS spend
FROM q WHERE q.user_id IS NOT NULL`;
