import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'undici';
import { LoadingCache } from '@conduit/budget';
import { ConduitHeader, PriceQuote, priceQuoteSchema } from '@conduit/contracts';
import { GATEWAY_USAGE_SETTINGS, GatewayUsageSettings } from './usage.constants';
import { UsageErrorCode, UsageException } from './usage.exception';

const MAX_ENTRIES = 1_000;
const TIMEOUT_MS = 5_000;

/**
 * Price quotes of models (the highest prices in a model's fallback chain), asked of the
 * orchestrator — which owns routes and loads the billing price list — and cached per model for
 * `PRICE_QUOTE_TTL_MS`, so the request path makes no call for a model seen recently. Concurrent
 * misses share one request. A model the orchestrator cannot serve has no quote (`null`): the call
 * reserves nothing and the orchestrator refuses it.
 */
@Injectable()
export class PriceQuoteClient implements OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly cache: LoadingCache<PriceQuote | null>;

  constructor(@Inject(GATEWAY_USAGE_SETTINGS) private readonly settings: GatewayUsageSettings) {
    this.pool = new Pool(settings.orchestratorUrl, { connections: 8, keepAliveTimeout: 30_000 });
    this.cache = new LoadingCache(settings.quoteTtlMs, MAX_ENTRIES);
  }

  quoteFor(model: string): Promise<PriceQuote | null> {
    return this.cache.get(model, () => this.fetch(model));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private async fetch(model: string): Promise<PriceQuote | null> {
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: `/internal/pricing/quote?model=${encodeURIComponent(model)}`,
        headers: this.settings.internalToken ? { [ConduitHeader.InternalToken]: this.settings.internalToken } : {},
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = await response.body.json();
      if (response.statusCode === 200) return priceQuoteSchema.parse(body);
      if (response.statusCode === 400 || response.statusCode === 404) return null;
      throw new Error(`quote answered ${response.statusCode}`);
    } catch {
      throw new UsageException(UsageErrorCode.PricingUnavailable, 'The chat service is unavailable; try again shortly.');
    }
  }
}
