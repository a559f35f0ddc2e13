import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { BUDGET_OPTIONS, BudgetModuleOptions } from '../budget.constants';
import { CapOverride, CapSubject, RateLimits, ResolvedCaps, rateLimitsFor, resolveCaps } from './caps';
import { LoadingCache } from './loading-cache';
import type { Tier } from './tier-policy';

/**
 * Budget caps of a caller: the tier policy overlaid by `budget_caps` overrides. Overrides are cached
 * in process (`BUDGET_CAP_CACHE_TTL_MS`, 30 s by default), so the request path costs no Postgres
 * round trip; a changed cap applies everywhere within that time.
 */
@Injectable()
export class BudgetCapStore {
  private readonly cache: LoadingCache<CapOverride[]>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BUDGET_OPTIONS) private readonly options: BudgetModuleOptions,
  ) {
    this.cache = new LoadingCache(options.capCacheTtlMs);
  }

  async capsFor(tenantId: string, userId: string | null, tiers: CapSubject): Promise<ResolvedCaps> {
    return resolveCaps(this.options.policy, tiers, await this.overrides(tenantId, userId));
  }

  rateLimitsFor(userTier: Tier): RateLimits {
    return rateLimitsFor(this.options.policy, userTier);
  }

  private overrides(tenantId: string, userId: string | null): Promise<CapOverride[]> {
    return this.cache.get(`${tenantId}:${userId ?? ''}`, () => this.load(tenantId, userId));
  }

  /** One query for the tenant's and the user's overrides; concurrent misses share it. */
  private async load(tenantId: string, userId: string | null): Promise<CapOverride[]> {
    const rows = await this.prisma.budgetCap.findMany({
      where: {
        OR: [
          { scope: 'tenant', subjectId: tenantId },
          ...(userId ? [{ scope: 'user' as const, subjectId: userId, tenantId }] : []),
        ],
      },
      select: { scope: true, period: true, capUsd: true },
    });
    return rows.map((row) => ({
      scope: row.scope,
      period: row.period,
      usd: row.capUsd === null ? null : Number(row.capUsd.toString()),
    }));
  }
}
