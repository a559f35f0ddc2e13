import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { BUDGET_OPTIONS, BudgetModuleOptions } from '../budget.constants';
import { CapOverride, CapSubject, RateLimits, ResolvedCaps, rateLimitsFor, resolveCaps } from './caps';
import type { Tier } from './tier-policy';

const MAX_ENTRIES = 10_000;

interface Entry {
  overrides: CapOverride[];
  expires: number;
}

/**
 * Budget caps of a caller: the tier policy overlaid by `budget_caps` overrides. Overrides are cached
 * in process (`BUDGET_CAP_CACHE_TTL_MS`, 30 s by default), so the request path costs no Postgres
 * round trip; a changed cap applies everywhere within that time.
 */
@Injectable()
export class BudgetCapStore {
  private readonly cache = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<CapOverride[]>>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BUDGET_OPTIONS) private readonly options: BudgetModuleOptions,
  ) {}

  async capsFor(tenantId: string, userId: string | null, tiers: CapSubject): Promise<ResolvedCaps> {
    return resolveCaps(this.options.policy, tiers, await this.overrides(tenantId, userId));
  }

  rateLimitsFor(userTier: Tier): RateLimits {
    return rateLimitsFor(this.options.policy, userTier);
  }

  /** Forgets cached overrides (after `set-budget` in this process); other replicas follow by TTL. */
  invalidate(): void {
    this.cache.clear();
  }

  private async overrides(tenantId: string, userId: string | null): Promise<CapOverride[]> {
    const key = `${tenantId}:${userId ?? ''}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.expires > now) return cached.overrides;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(tenantId, userId, key).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** One query for the tenant's and the user's overrides; concurrent misses share it. */
  private async load(tenantId: string, userId: string | null, key: string): Promise<CapOverride[]> {
    const rows = await this.prisma.budgetCap.findMany({
      where: {
        OR: [
          { scope: 'tenant', subjectId: tenantId },
          ...(userId ? [{ scope: 'user' as const, subjectId: userId, tenantId }] : []),
        ],
      },
      select: { scope: true, period: true, capUsd: true },
    });
    const overrides = rows.map((row) => ({
      scope: row.scope,
      period: row.period,
      usd: row.capUsd === null ? null : Number(row.capUsd.toString()),
    }));
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { overrides, expires: Date.now() + this.options.capCacheTtlMs });
    return overrides;
  }
}
