import Anthropic from '@anthropic-ai/sdk';
import type { CallOptions, ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { anthropicUnsupportedParameter, fromAnthropicMessage, toAnthropicParams } from './anthropic.mapping';
import { AnthropicStreamTranslator } from './anthropic-stream.translator';
import { wantsJson } from './anthropic-structured-output';
import { runCall, streamEvents, type CallContext } from './provider-call';
import { pooledFetch } from './pooled-fetch';
import { sdkRequestOptions } from './sdk-request-options';

export interface AnthropicProviderOptions {
  apiKey: string;
  /** Provider id in routes and metrics (default `anthropic`). */
  name?: string;
  /** Default `https://api.anthropic.com`. */
  baseURL?: string;
  /** Client-wide timeout; per-call `timeoutMs` overrides it. */
  timeoutMs?: number;
  /** Used when a request has no `max_tokens` (the Messages API requires one). Default 4096. */
  defaultMaxTokens?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** The Messages API through `@anthropic-ai/sdk`. Retries are the gateway's: the SDK never retries. */
export class AnthropicProvider implements LlmProvider {
  readonly name: string;
  readonly system = 'anthropic';
  private readonly client: Anthropic;
  private readonly defaultMaxTokens: number;

  constructor(options: AnthropicProviderOptions) {
    this.name = options.name ?? 'anthropic';
    this.defaultMaxTokens = options.defaultMaxTokens ?? 4096;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      maxRetries: 0,
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
      // Pooled undici transport unless the caller brings its own (see pooled-fetch.ts for why).
      fetch: options.fetch ?? pooledFetch(),
      // The gateway emits one GenAI span per attempt; SDK spans would duplicate them.
      openTelemetry: false,
    });
  }

  unsupportedParameter(request: Omit<ChatRequest, 'model'>): string | undefined {
    return anthropicUnsupportedParameter(request);
  }

  complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    const context = this.context(request);
    return runCall(context, options, async (signal) => {
      const params = toAnthropicParams(request, { defaultMaxTokens: this.defaultMaxTokens }, context);
      return fromAnthropicMessage(await this.client.messages.create(params, sdkRequestOptions(signal, options)), {
        structuredOutput: wantsJson(request.response_format),
      });
    });
  }

  stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatStreamEvent> {
    const context = this.context(request);
    return streamEvents(
      context,
      options,
      async (signal) => {
        const params = toAnthropicParams(request, { defaultMaxTokens: this.defaultMaxTokens }, context);
        return this.client.messages.create({ ...params, stream: true }, sdkRequestOptions(signal, options));
      },
      new AnthropicStreamTranslator({ structuredOutput: wantsJson(request.response_format) }),
    );
  }

  private context(request: ChatRequest): CallContext {
    return { provider: this.name, model: request.model };
  }
}
