/**
 * OpenTelemetry GenAI semantic-convention names, kept here rather than imported from
 * `@opentelemetry/semantic-conventions`: that package holds them only in its unstable
 * `incubating` entry point and marks several as moved or renamed between releases. One list, so
 * every span that talks to a model (provider calls, guardrail judges, embeddings) says the same.
 */
export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  /** Seconds from the request to the first streamed chunk. */
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  /** Every prompt token, cached or not. */
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** The part of `input_tokens` read from the provider's prompt cache. */
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  /** Opt-in message content (JSON), after the PII guard; see `GatewayCallOptions.captureContent`. */
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  errorType: 'error.type',
} as const;

/** Values of `gen_ai.operation.name` Conduit uses. */
export const GEN_AI_OPERATION = {
  chat: 'chat',
  embeddings: 'embeddings',
  applyGuardrail: 'apply_guardrail',
  /** Long-term memories: extracted and written (`create_memory`), recalled at request time (`search_memory`). */
  createMemory: 'create_memory',
  searchMemory: 'search_memory',
} as const;

export type GenAiOperation = (typeof GEN_AI_OPERATION)[keyof typeof GEN_AI_OPERATION];

/** Span name the conventions ask for: `{operation} {model}`. */
export function genAiSpanName(operation: GenAiOperation, model: string): string {
  return `${operation} ${model}`;
}
