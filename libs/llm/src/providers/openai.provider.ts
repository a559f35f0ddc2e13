import OpenAI from 'openai';
import type { CallOptions, ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { fromOpenAiCompletion, toOpenAiParams, type MaxTokensParam } from './openai.mapping';
import { OpenAiStreamTranslator } from './openai-stream.translator';
import { runCall, streamEvents, type CallContext } from './provider-call';
import { pooledFetch } from './pooled-fetch';
import { sdkRequestOptions } from './sdk-request-options';

export interface OpenAiProviderOptions {
  apiKey: string;
  /** Provider id in routes and metrics (default `openai`). */
  name?: string;
  /** OpenAI (default `https://api.openai.com/v1`) or any compatible server: vLLM, Ollama, llama.cpp, TGI. */
  baseURL?: string;
  /** `gen_ai.system` for spans (default `openai`). */
  system?: string;
  /** Client-wide timeout; per-call `timeoutMs` overrides it. */
  timeoutMs?: number;
  /** Default: `max_completion_tokens` for OpenAI's own API, `max_tokens` for other servers. */
  maxTokensParam?: MaxTokensParam;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** Whether `baseURL` is OpenAI's own API (unset means it is). */
export function isOpenAiHosted(baseURL: string | undefined): boolean {
  if (baseURL === undefined) return true;
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** Chat Completions through `openai`. Retries are the gateway's: the SDK never retries. */
export class OpenAiProvider implements LlmProvider {
  readonly name: string;
  readonly system: string;
  private readonly client: OpenAI;
  private readonly maxTokensParam: MaxTokensParam;

  constructor(options: OpenAiProviderOptions) {
    this.name = options.name ?? 'openai';
    this.system = options.system ?? 'openai';
    this.maxTokensParam =
      options.maxTokensParam ?? (isOpenAiHosted(options.baseURL) ? 'max_completion_tokens' : 'max_tokens');
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      maxRetries: 0,
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
      // Pooled undici transport unless the caller brings its own (see pooled-fetch.ts for why).
      fetch: options.fetch ?? pooledFetch(),
    });
  }

  complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    return runCall(this.context(request), options, async (signal) =>
      fromOpenAiCompletion(
        await this.client.chat.completions.create(toOpenAiParams(request, this.maxTokensParam), sdkRequestOptions(signal, options)),
      ),
    );
  }

  stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatStreamEvent> {
    return streamEvents(
      this.context(request),
      options,
      (signal) =>
        this.client.chat.completions.create(
          { ...toOpenAiParams(request, this.maxTokensParam), stream: true, stream_options: { include_usage: true } },
          sdkRequestOptions(signal, options),
        ),
      new OpenAiStreamTranslator(),
    );
  }

  private context(request: ChatRequest): CallContext {
    return { provider: this.name, model: request.model };
  }
}
