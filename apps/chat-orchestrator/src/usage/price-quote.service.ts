import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { modelNotPricedMessage, PriceBook, UnpricedModelPolicy } from '@conduit/budget';
import type { PriceQuote } from '@conduit/contracts';
import { isLlmError, LlmGateway, ResolvedRoute } from '@conduit/llm';
import { INTERNAL_SETTINGS, InternalSettings } from '../internal/internal.constants';
import { UsageErrorCode, UsageException } from './usage.exception';

/**
 * Prices as the orchestrator knows them: the billing price list (installed into the LLM gateway,
 * so `cost_usd`, metrics and settlements all use billed prices), per-model quotes for the
 * gateway's budget reservations, and the rule that a model is routable only when priced.
 */
@Injectable()
export class PriceQuoteService implements OnModuleInit {
  constructor(
    private readonly llm: LlmGateway,
    private readonly prices: PriceBook,
    private readonly unpriced: UnpricedModelPolicy,
    @Inject(INTERNAL_SETTINGS) private readonly settings: InternalSettings,
  ) {}

  onModuleInit(): void {
    this.llm.usePricing(this.prices);
  }

  /**
   * The worst case over the model's fallback chain: the call may be answered by any target, so the
   * gateway reserves at the highest input and output prices among them. `priced` is false when some
   * target has no price. Throws `model_not_found` for a model nothing serves.
   */
  quote(model: string, at: Date = new Date()): PriceQuote {
    const route = this.routeOf(model);
    if (!route) throw new UsageException(UsageErrorCode.ModelNotFound, `No route or provider serves the model "${model}".`, { param: 'model' });
    this.assertPricesLoaded();
    let input = 0;
    let output = 0;
    let bounded = true;
    let maxOutput = 0;
    for (const target of route.targets) {
      const price = this.prices.priceOf(target.model, at);
      input = Math.max(input, price?.input ?? 0);
      output = Math.max(output, price?.output ?? 0);
      const provider = this.llm.config.providers.find((p) => p.name === target.provider);
      if (provider?.kind === 'anthropic') maxOutput = Math.max(maxOutput, provider.defaultMaxTokens);
      else bounded = false;
    }
    return {
      model,
      priced: this.unpricedTargets(route, at).length === 0,
      input_usd_per_mtok: input,
      output_usd_per_mtok: output,
      default_max_output_tokens: bounded && maxOutput > 0 ? maxOutput : null,
      history_max_tokens: this.settings.history.maxTokens,
    };
  }

  /**
   * Refuses, before any provider is called, a model whose route has a target without a price —
   * its calls would be billed at 0, beyond any budget — unless the tenant allows unpriced models.
   * The same rule as the gateway's admission (`priced` of the quote, the same tenant policy). A
   * model nothing serves passes: the LLM call reports it.
   */
  async assertRoutable(model: string | undefined, tenantId: string, at: Date = new Date()): Promise<void> {
    const route = this.routeOf(model);
    if (!route) return;
    if (!this.prices.loaded) await this.prices.ready().catch(() => Promise.reject(pricingUnavailable()));
    if (this.unpricedTargets(route, at).length === 0 || (await this.unpriced.allows(tenantId))) return;
    throw new UsageException(UsageErrorCode.ModelNotPriced, modelNotPricedMessage(route.requested), { param: 'model' });
  }

  private unpricedTargets(route: ResolvedRoute, at: Date): string[] {
    return route.targets.filter((target) => this.prices.priceOf(target.model, at) === undefined).map((target) => target.model);
  }

  private routeOf(model: string | undefined): ResolvedRoute | undefined {
    try {
      return this.llm.resolve(model);
    } catch (error) {
      if (isLlmError(error) && error.kind === 'invalid_request') return undefined;
      throw error;
    }
  }

  private assertPricesLoaded(): void {
    if (!this.prices.loaded) throw pricingUnavailable();
  }
}

const pricingUnavailable = () => new UsageException(UsageErrorCode.PricingUnavailable, 'The price list is not loaded yet; retry shortly.');
