import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'undici';
import { PriceQuote, priceQuoteSchema } from '@conduit/contracts';
import { GATEWAY_USAGE_SETTINGS, GatewayUsageSettings } from './usage.constants';
import { UsageErrorCode, UsageException } from './usage.exception';

const MAX_ENTRIES = 1_000;
const TIMEOUT_MS = 5_000;

interface Entry {
  quote: PriceQuote | null;
  expires: number;
}

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
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<PriceQuote | null>>();

  constructor(@Inject(GATEWAY_USAGE_SETTINGS) private readonly settings: GatewayUsageSettings) {
    this.pool = new Pool(settings.orchestratorUrl, { connections: 8, keepAliveTimeout: 30_000 });
  }

  async quoteFor(model: string): Promise<PriceQuote | null> {
    const cached = this.cache.get(model);
    if (cached && cached.expires > Date.now()) return cached.quote;
    let pending = this.inflight.get(model);
    if (!pending) {
      pending = this.fetch(model).finally(() => this.inflight.delete(model));
      this.inflight.set(model, pending);
    }
    return pending;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private async fetch(model: string): Promise<PriceQuote | null> {
    let quote: PriceQuote | null;
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: `/internal/pricing/quote?model=${encodeURIComponent(model)}`,
        headers: this.settings.internalToken ? { 'x-conduit-internal-token': this.settings.internalToken } : {},
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = await response.body.json();
      if (response.statusCode === 200) quote = priceQuoteSchema.parse(body);
      else if (response.statusCode === 400 || response.statusCode === 404) quote = null;
      else throw new Error(`quote answered ${response.statusCode}`);
    } catch {
      throw new UsageException(UsageErrorCode.PricingUnavailable, 503, 'The chat service is unavailable; try again shortly.');
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(model, { quote, expires: Date.now() + this.settings.quoteTtlMs });
    return quote;
  }
}
