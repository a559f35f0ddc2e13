import { Injectable } from '@nestjs/common';
import type { UsageEvent } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { dayOf, decimalToNano, hourOf, nanoToDecimalString, PricedUsage } from '@conduit/budget';

/** `usage_daily.user_id` of usage without a user (the aggregate's key cannot be null). */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

export interface LedgerWrite {
  /** False when the event was already in the ledger (a redelivery): nothing was written. */
  inserted: boolean;
  /** The tenant's spend in the event's UTC hour after this write (nano-dollars). */
  hourSpendNano: number;
}

const isoDay = (at: Date) => dayOf(at).toISOString().slice(0, 10);

/**
 * Appends one priced usage event to the ledger (`usage_events`) and, in the same transaction, adds
 * it to the per-day and per-hour aggregates. The event id is the primary key: a redelivered event
 * inserts nothing and touches no aggregate, so retries and crashes never double-count.
 */
@Injectable()
export class LedgerWriter {
  constructor(private readonly prisma: PrismaService) {}

  async record(event: UsageEvent, cost: PricedUsage): Promise<LedgerWrite> {
    const occurredAt = new Date(event.occurred_at);
    const costDecimal = nanoToDecimalString(cost.nano);
    const price = cost.price;
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.usageEvent.createMany({
        data: [
          {
            id: event.event_id,
            tenantId: event.tenant_id,
            userId: event.user_id,
            apiKeyId: event.api_key_id,
            requestId: event.request_id,
            provider: event.provider,
            model: event.model,
            inputTokens: event.input_tokens,
            outputTokens: event.output_tokens,
            cachedTokens: event.cached_tokens,
            latencyMs: event.latency_ms,
            feature: event.feature,
            occurredAt,
            reservationId: event.reservation_id,
            costUsd: costDecimal,
            priced: cost.priced,
            priceModel: price?.key ?? null,
            priceEffectiveFrom: price ? new Date(`${price.effective_from}T00:00:00Z`) : null,
            inputUsdPerMtok: price?.input ?? null,
            outputUsdPerMtok: price?.output ?? null,
            cachedInputUsdPerMtok: price?.cached_input ?? null,
          },
        ],
        skipDuplicates: true,
      });
      if (count === 0) return { inserted: false, hourSpendNano: 0 };
      await tx.$executeRaw`
        INSERT INTO usage_daily (tenant_id, user_id, day, model, requests, input_tokens, output_tokens, cached_tokens, cost_usd)
        VALUES (${event.tenant_id}::uuid, ${event.user_id ?? NO_USER}::uuid, ${isoDay(occurredAt)}::date, ${event.model}, 1,
                ${event.input_tokens}, ${event.output_tokens}, ${event.cached_tokens}, ${costDecimal}::numeric)
        ON CONFLICT (tenant_id, user_id, day, model) DO UPDATE SET
          requests = usage_daily.requests + 1,
          input_tokens = usage_daily.input_tokens + EXCLUDED.input_tokens,
          output_tokens = usage_daily.output_tokens + EXCLUDED.output_tokens,
          cached_tokens = usage_daily.cached_tokens + EXCLUDED.cached_tokens,
          cost_usd = usage_daily.cost_usd + EXCLUDED.cost_usd`;
      const [hour] = await tx.$queryRaw<{ cost: string }[]>`
        INSERT INTO usage_hourly (tenant_id, hour, requests, cost_usd)
        VALUES (${event.tenant_id}::uuid, ${hourOf(occurredAt)}, 1, ${costDecimal}::numeric)
        ON CONFLICT (tenant_id, hour) DO UPDATE SET
          requests = usage_hourly.requests + 1,
          cost_usd = usage_hourly.cost_usd + EXCLUDED.cost_usd
        RETURNING cost_usd::text AS cost`;
      return { inserted: true, hourSpendNano: decimalToNano(hour?.cost ?? '0') };
    });
  }
}
