export type {
  CallOptions,
  ChatChoice,
  ChatCompletion,
  ChatImage,
  ChatMessage,
  ChatRequest,
  ChatRole,
  ChatStreamEvent,
  FinishReason,
  LlmProvider,
  TokenUsage,
  ToolCall,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from './llm.types';

export { LlmGateway } from './gateway/llm.gateway';
export { LlmBreakerReadiness } from './gateway/breaker.readiness';
export type { CompleteResult, GatewayCallOptions, LlmGatewayDeps, LlmRequest, PriceSource, StreamResult } from './gateway/llm.gateway';
export type { AttemptRecord, SkipReason } from './gateway/attempt-record';
export type { AttemptOutcome, LlmMetrics } from './gateway/llm-metrics';
export { LlmModule, LLM_CONFIG } from './llm.module';

export { LlmError, isLlmError } from './errors/llm.exception';
export { LLM_ERROR_KINDS, allowsFallback, countsAgainstBreaker, isRetryableKind } from './errors/llm-error-kind';
export type { LlmErrorKind } from './errors/llm-error-kind';
export { LlmUnavailableError } from './errors/llm-unavailable.exception';
export { LlmUnsupportedParameterError } from './errors/unsupported-parameter.exception';
export type { LlmUnavailableCode } from './errors/llm-unavailable.exception';
export { classifyError } from './errors/sdk-error.classifier';

export { AnthropicProvider } from './providers/anthropic.provider';
export type { AnthropicProviderOptions } from './providers/anthropic.provider';
export { OpenAiProvider } from './providers/openai.provider';
export type { OpenAiProviderOptions } from './providers/openai.provider';
export { createProvider } from './providers/provider.factory';

export { retry, backoffDelayMs, retryDelayMs } from './resilience/retry';
export type { BackoffPolicy, RetryOptions } from './resilience/retry';
export { CircuitBreaker } from './resilience/circuit-breaker';
export type { BreakerPermit, BreakerState, CircuitBreakerOptions } from './resilience/circuit-breaker';
export type { BreakerSnapshot } from './resilience/breaker-registry';
export type { Clock, Sleep } from './resilience/clock';

export { LlmRouter } from './routing/llm-router';
export type { ModelInfo, ResolvedRoute, RouteTarget } from './routing/llm-router';
export { scoreComplexity } from './routing/complexity-scorer';
export type { ComplexityScore, ScorerInput } from './routing/complexity-scorer';
export { decideRoute, estimateRequestTokens, routeHeader, tierOf } from './routing/route-policy';
export type { RouteDecision, RoutingRequest } from './routing/route-policy';

export { llmConfigSchema, parseLlmConfig } from './config/llm.config';
export type { LlmConfig, LlmConfigInput, ProviderConfig, RouteTargetConfig } from './config/llm.config';
export { llmConfigFromEnv, llmEnvSchema } from './config/llm-config-from-env';
export { DEFAULT_ROUTE_ALIAS } from './config/llm-config.defaults';
