import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { PriceBook } from '@conduit/budget';
import type { PriceQuote } from '@conduit/contracts';
import { LlmGateway } from '@conduit/llm';
import { CHAT_SETTINGS, ChatSettings } from '../chat/chat.constants';

/**
 * Prices as the orchestrator knows them: the billing price list (installed into the LLM gateway,
 * so `cost_usd`, metrics and settlements all use billed prices) and per-request quotes for the
 * gateway's budget reservations.
 */
@Injectable()
export class PriceQuoteService implements OnModuleInit {
  constructor(
    private readonly llm: LlmGateway,
    private readonly prices: PriceBook,
    @Inject(CHAT_SETTINGS) private readonly settings: ChatSettings,
  ) {}

  onModuleInit(): void {
    this.llm.usePricing(this.prices);
  }

  /**
   * The worst case over the model's fallback chain: the call may be answered by any target, so the
   * gateway reserves at the highest input and output prices among them. Throws the router's
   * `model_not_found` error for a model nothing serves.
   */
  quote(model: string, at: Date = new Date()): PriceQuote {
    const route = this.llm.resolve(model);
    let input = 0;
    let output = 0;
    let priced = true;
    let bounded = true;
    let maxOutput = 0;
    for (const target of route.targets) {
      const price = this.prices.priceOf(target.model, at);
      if (!price) priced = false;
      input = Math.max(input, price?.input ?? 0);
      output = Math.max(output, price?.output ?? 0);
      const provider = this.llm.config.providers.find((p) => p.name === target.provider);
      if (provider?.kind === 'anthropic') maxOutput = Math.max(maxOutput, provider.defaultMaxTokens);
      else bounded = false;
    }
    return {
      model,
      priced,
      input_usd_per_mtok: input,
      output_usd_per_mtok: output,
      default_max_output_tokens: bounded && maxOutput > 0 ? maxOutput : null,
      history_max_tokens: this.settings.history.maxTokens,
    };
  }
}
