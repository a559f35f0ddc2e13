import { Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';

/** The user id of ledger aggregates without a user (billing's `NO_USER`). */
const NO_USER = '00000000-0000-0000-0000-000000000000';

/**
 * Erasure of a user from the ledger, keeping every amount: their `usage_events` rows lose the
 * user and API key ids, and their `usage_daily` rows are added into the tenant's user-less rows
 * of the same day and model. Tenant totals (requests, tokens, cost, cache hits and savings) are unchanged. One
 * transaction, so a re-run after a failure finds either nothing or everything left to do.
 */
@Injectable()
export class LedgerAnonymiser {
  constructor(private readonly prisma: PrismaService) {}

  async anonymise(tenantId: string, userId: string): Promise<{ events: number; dailyRows: number }> {
    return this.prisma.$transaction(async (tx) => {
      const events = await tx.$executeRaw`UPDATE usage_events SET user_id = NULL, api_key_id = NULL WHERE tenant_id = ${tenantId}::uuid AND user_id = ${userId}::uuid`;
      await tx.$executeRaw`
        INSERT INTO usage_daily (tenant_id, user_id, day, model, requests, input_tokens, output_tokens, cached_tokens, cost_usd, cache_hits, cost_saved_usd)
        SELECT tenant_id, ${NO_USER}::uuid, day, model, requests, input_tokens, output_tokens, cached_tokens, cost_usd, cache_hits, cost_saved_usd
          FROM usage_daily WHERE tenant_id = ${tenantId}::uuid AND user_id = ${userId}::uuid
        ON CONFLICT (tenant_id, user_id, day, model) DO UPDATE SET
          requests = usage_daily.requests + EXCLUDED.requests,
          input_tokens = usage_daily.input_tokens + EXCLUDED.input_tokens,
          output_tokens = usage_daily.output_tokens + EXCLUDED.output_tokens,
          cached_tokens = usage_daily.cached_tokens + EXCLUDED.cached_tokens,
          cost_usd = usage_daily.cost_usd + EXCLUDED.cost_usd,
          cache_hits = usage_daily.cache_hits + EXCLUDED.cache_hits,
          cost_saved_usd = usage_daily.cost_saved_usd + EXCLUDED.cost_saved_usd`;
      const dailyRows = await tx.$executeRaw`DELETE FROM usage_daily WHERE tenant_id = ${tenantId}::uuid AND user_id = ${userId}::uuid`;
      return { events, dailyRows };
    });
  }
}
