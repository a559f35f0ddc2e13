export { otlpConfigured, shutdownTelemetry, startTelemetry } from './telemetry/start-telemetry';
export type { TelemetryOptions } from './telemetry/start-telemetry';
export { currentTraceId, injectTraceCarrier } from './telemetry/trace-context';
export { GEN_AI, GEN_AI_OPERATION, genAiSpanName } from './telemetry/gen-ai.constants';
export type { GenAiOperation } from './telemetry/gen-ai.constants';
export { LoggingModule, REDACTED_PATHS, requestIdFor } from './logging/logging.module';
export type { LoggingOptions } from './logging/logging.module';
export { StartupChatterLogger } from './logging/startup-chatter.logger';
export {
  activeUsers,
  BREAKER_STATE_VALUE,
  budgetUtilisation,
  DEGRADED_COMPONENTS,
  degradedTotal,
  feedbackTotal,
  httpRequestDuration,
  LLM_ERROR_METRIC_KINDS,
  llmBreakerState,
  llmErrorsTotal,
  llmFallbacksTotal,
  queueDeadLetterJobs,
  queueOldestJobAge,
  registerBreakerSource,
  llmCostUsdTotal,
  llmRequestDuration,
  llmTimeToFirstToken,
  llmTokensTotal,
  metricsRegistry,
  pipelineStageDuration,
  promptResolutions,
  queueDepth,
  queueJobDuration,
  queueJobWait,
  queueJobsTotal,
  responseCacheLookupDuration,
  responseCacheRequests,
  responseCacheSavedUsd,
  responseCacheStores,
  retrievalDuration,
} from './metrics/metrics';
export type { BreakerStateReading, DegradedComponent, LlmErrorMetricKind } from './metrics/metrics';
export { MetricsController } from './metrics/metrics.controller';
export { HealthModule } from './health/health.module';
export { READINESS_CHECKS, withTimeout } from './health/readiness-check';
export type { ReadinessCheck } from './health/readiness-check';
export { Public, PUBLIC_ROUTE } from './public-route.decorator';
