import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { BUDGET_OPTIONS, BudgetModuleOptions } from '../budget.constants';
import { CapOverride, CapSubject, RateLimits, ResolvedCaps, rateLimitsFor, resolveCaps } from './caps';
import { LoadingCache } from './loading-cache';
import type { Tier } from './tier-policy';
import type { BudgetPeriod, BudgetScope } from '../windows';

/** A stored override as admins see it. */
export interface StoredCap {
  scope: BudgetScope;
  subjectId: string;
  period: BudgetPeriod;
  usd: number | null;
  updatedAt: Date;
}

/**
 * Budget caps of a caller: the tier policy overlaid by `budget_caps` overrides (of the tenant, the
 * user and the API key). Overrides are cached
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

  /** The caps of a call: its tenant's, its user's and (given `apiKeyId`) its API key's. */
  async capsFor(tenantId: string, userId: string | null, tiers: CapSubject, apiKeyId: string | null = null): Promise<ResolvedCaps> {
    return resolveCaps(this.options.policy, tiers, await this.overrides(tenantId, userId, apiKeyId));
  }

  /** A tenant's stored overrides (admin views). */
  async listOverrides(tenantId: string): Promise<StoredCap[]> {
    const rows = await this.prisma.budgetCap.findMany({
      where: { tenantId },
      orderBy: [{ scope: 'asc' }, { subjectId: 'asc' }, { period: 'asc' }],
      select: { scope: true, subjectId: true, period: true, capUsd: true, updatedAt: true },
    });
    return rows.map((row) => ({ ...row, usd: row.capUsd === null ? null : Number(row.capUsd.toString()) }));
  }

  /**
   * Stores an override: `usd` a cap, or null for "explicitly no cap". `subjectId` is the tenant's
   * id (scope tenant), one of its users' (scope user) or one of its API keys' (scope key); the
   * caller checks the user or key is the tenant's. Services apply it within `BUDGET_CAP_CACHE_TTL_MS`.
   */
  async setOverride(tenantId: string, scope: BudgetScope, subjectId: string, period: BudgetPeriod, usd: number | null): Promise<void> {
    await this.prisma.budgetCap.upsert({
      where: { scope_subjectId_period: { scope, subjectId, period } },
      create: {
        tenantId,
        scope,
        subjectId,
        userId: scope === 'user' ? subjectId : null,
        apiKeyId: scope === 'key' ? subjectId : null,
        period,
        capUsd: usd,
      },
      update: { capUsd: usd },
    });
  }

  /** Removes an override: the tier default applies again. True when there was one. */
  async clearOverride(tenantId: string, scope: BudgetScope, subjectId: string, period: BudgetPeriod): Promise<boolean> {
    const { count } = await this.prisma.budgetCap.deleteMany({ where: { tenantId, scope, subjectId, period } });
    return count > 0;
  }

  rateLimitsFor(userTier: Tier): RateLimits {
    return rateLimitsFor(this.options.policy, userTier);
  }

  private overrides(tenantId: string, userId: string | null, apiKeyId: string | null): Promise<CapOverride[]> {
    return this.cache.get(`${tenantId}:${userId ?? ''}:${apiKeyId ?? ''}`, () => this.load(tenantId, userId, apiKeyId));
  }

  /** One query for the tenant's, the user's and the API key's overrides; concurrent misses share it. */
  private async load(tenantId: string, userId: string | null, apiKeyId: string | null): Promise<CapOverride[]> {
    const rows = await this.prisma.budgetCap.findMany({
      where: {
        OR: [
          { scope: 'tenant', subjectId: tenantId },
          ...(userId ? [{ scope: 'user' as const, subjectId: userId, tenantId }] : []),
          ...(apiKeyId ? [{ scope: 'key' as const, subjectId: apiKeyId, tenantId }] : []),
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
