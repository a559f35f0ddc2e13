import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { BUDGET_OPTIONS, BudgetModuleOptions } from '../budget.constants';
import { LoadingCache } from './loading-cache';

/**
 * Whether a tenant may use models without a price in force (`tenants.allow_unpriced_models`,
 * default false; set with `npm run admin -- allow-unpriced-models`). Such a call is billed at 0,
 * so no budget can stop it: refused unless the tenant opted in. The gateway's admission and the
 * orchestrator ask this same policy, cached in process like budget caps (`BUDGET_CAP_CACHE_TTL_MS`),
 * and only for unpriced models: a priced call never waits on it.
 */
@Injectable()
export class UnpricedModelPolicy {
  private readonly cache: LoadingCache<boolean>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BUDGET_OPTIONS) options: BudgetModuleOptions,
  ) {
    this.cache = new LoadingCache(options.capCacheTtlMs);
  }

  allows(tenantId: string): Promise<boolean> {
    return this.cache.get(tenantId, async () => {
      const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { allowUnpricedModels: true } });
      return tenant?.allowUnpricedModels ?? false;
    });
  }
}

/** The message of a `model_not_priced` refusal, the same from the gateway and the orchestrator. */
export function modelNotPricedMessage(model: string): string {
  return (
    `The model "${model}" has no price, so its cost cannot be held to a budget. Use a priced model; ` +
    'an operator can price it (admin set-price) or allow unpriced models for your organization.'
  );
}
