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
    if (counter.scope === 'user' && counter.subjectId === null) return 0;
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
}
