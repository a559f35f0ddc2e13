import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process holding every Conduit metric, so each service's /metrics lists the
 * same names (dashboards and alert rules are checked against a live scrape).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const httpRequestDuration = new Histogram({
  name: 'conduit_http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const queueJobsTotal = new Counter({
  name: 'conduit_queue_jobs_total',
  help: 'Jobs processed by outcome',
  labelNames: ['queue', 'job_name', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const queueJobDuration = new Histogram({
  name: 'conduit_queue_job_duration_seconds',
  help: 'Job processing time',
  labelNames: ['queue', 'job_name'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const queueJobWait = new Histogram({
  name: 'conduit_queue_job_wait_seconds',
  help: 'Time a job waited in the queue before a worker took it',
  labelNames: ['queue', 'job_name'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const queueDepth = new Gauge({
  name: 'conduit_queue_depth',
  help: 'Jobs in a queue by state',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});

export const llmRequestDuration = new Histogram({
  name: 'conduit_llm_request_duration_seconds',
  help: 'LLM provider call latency',
  labelNames: ['provider', 'model', 'outcome'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const llmTimeToFirstToken = new Histogram({
  name: 'conduit_llm_time_to_first_token_seconds',
  help: 'Streaming time to first token',
  labelNames: ['provider', 'model'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const llmTokensTotal = new Counter({
  name: 'conduit_llm_tokens_total',
  help: 'Tokens consumed by direction',
  labelNames: ['provider', 'model', 'direction'] as const,
  registers: [metricsRegistry],
});

export const llmCostUsdTotal = new Counter({
  name: 'conduit_llm_cost_usd_total',
  help: 'Estimated LLM spend in USD',
  labelNames: ['provider', 'model'] as const,
  registers: [metricsRegistry],
});

export const retrievalDuration = new Histogram({
  name: 'conduit_retrieval_duration_seconds',
  help: 'Retrieval (query embedding and vector search) time of grounded chat requests',
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const pipelineStageDuration = new Histogram({
  name: 'conduit_pipeline_stage_duration_seconds',
  help: 'Time spent in one stage of the chat pipeline (a stage that is off is not observed)',
  labelNames: ['stage'] as const,
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, ...latencyBuckets],
  registers: [metricsRegistry],
});

/**
 * Failed LLM attempts by kind. `kind` is one of {@link LLM_ERROR_METRIC_KINDS}: the gateway maps
 * its error kinds onto this fixed list (and counts a `content_filter` finish as one).
 */
export const LLM_ERROR_METRIC_KINDS = [
  'rate_limit',
  'timeout',
  'server_5xx',
  'auth',
  'content_filter',
  'cancelled',
  'connection',
  'invalid_request',
  'other',
] as const;
export type LlmErrorMetricKind = (typeof LLM_ERROR_METRIC_KINDS)[number];

export const llmErrorsTotal = new Counter({
  name: 'conduit_llm_errors_total',
  help: 'Failed LLM attempts by kind (rate_limit, timeout, server_5xx, auth, content_filter, cancelled, connection, invalid_request, other)',
  labelNames: ['provider', 'model', 'kind'] as const,
  registers: [metricsRegistry],
});

export const llmFallbacksTotal = new Counter({
  name: 'conduit_llm_fallbacks_total',
  help: 'Calls handed from a failing target to the next one of its route, by the target that failed',
  labelNames: ['provider', 'model'] as const,
  registers: [metricsRegistry],
});

/** Breaker state as a number, so that `max` and thresholds work in PromQL. */
export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

export interface BreakerStateReading {
  provider: string;
  model: string;
  state: keyof typeof BREAKER_STATE_VALUE;
}

const breakerSources = new Set<() => BreakerStateReading[]>();

/** Adds a source of breaker states (an LLM gateway) read at every scrape; returns its removal. */
export function registerBreakerSource(source: () => BreakerStateReading[]): () => void {
  breakerSources.add(source);
  return () => breakerSources.delete(source);
}

export const llmBreakerState = new Gauge({
  name: 'conduit_llm_breaker_state',
  help: 'Circuit breaker state per provider and model: 0 closed, 1 half-open, 2 open',
  labelNames: ['provider', 'model'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const source of breakerSources) {
      for (const reading of source()) this.set({ provider: reading.provider, model: reading.model }, BREAKER_STATE_VALUE[reading.state]);
    }
  },
});

export const activeUsers = new Gauge({
  name: 'conduit_active_users',
  help: 'Distinct users with billed usage in the last 5 minutes (every billing replica reports the same number: use max)',
  registers: [metricsRegistry],
});

export const feedbackTotal = new Counter({
  name: 'conduit_feedback_total',
  help: 'Message feedback received, by rating (up, down)',
  labelNames: ['rating'] as const,
  registers: [metricsRegistry],
});

export const queueOldestJobAge = new Gauge({
  name: 'conduit_queue_oldest_job_age_seconds',
  help: 'Age of the oldest job waiting in a queue (0 when none waits)',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

export const queueDeadLetterJobs = new Gauge({
  name: 'conduit_queue_dead_letter_jobs',
  help: 'Jobs that failed for good and are kept in the queue for inspection (its dead-letter set)',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

export const budgetUtilisation = new Gauge({
  name: 'conduit_budget_utilisation_ratio',
  help: 'Spend / cap of the current budget window for the top N tenants by utilisation (BUDGET_METRIC_TOP_N)',
  labelNames: ['tenant', 'period'] as const,
  registers: [metricsRegistry],
});

/** Response cache lookups by kind (`exact`) and outcome (`hit`, `miss`, `bypass`). */
export const responseCacheRequests = new Counter({
  name: 'conduit_response_cache_requests_total',
  help: 'Chat requests by response cache kind and outcome (hit, miss, bypass)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const responseCacheLookupDuration = new Histogram({
  name: 'conduit_response_cache_lookup_seconds',
  help: 'Time of one response cache lookup (key derivation and read), by kind',
  labelNames: ['kind'] as const,
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  registers: [metricsRegistry],
});

/** What hits saved: the price of the original call, each time it is served from the cache. */
export const responseCacheSavedUsd = new Counter({
  name: 'conduit_response_cache_saved_usd_total',
  help: 'Provider cost saved by response cache hits (USD), by kind',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** Answers offered to the cache: `stored`, `skipped` (not storable: partial, tool calls, filtered ...) or `failed`. */
export const responseCacheStores = new Counter({
  name: 'conduit_response_cache_stores_total',
  help: 'Answers offered to the response cache, by kind and result (stored, skipped, failed)',
  labelNames: ['kind', 'result'] as const,
  registers: [metricsRegistry],
});

/**
 * Prompt template resolutions on the chat path (stage `template`): `source` is how the version was
 * picked (`label`, `version`, `experiment`), `outcome` `rendered`, `not_found`, `invalid_variables`
 * or `error`. Template names and versions are tenant data and never labels (they are on spans,
 * message rows and usage events instead).
 */
export const promptResolutions = new Counter({
  name: 'conduit_prompt_resolutions_total',
  help: 'Prompt template resolutions on the chat path, by how the version was picked and outcome',
  labelNames: ['source', 'outcome'] as const,
  registers: [metricsRegistry],
});
/** The secondary systems a chat may go on without (`degradation` policy); every value starts at 0. */
export const DEGRADED_COMPONENTS = ['retrieval', 'cache', 'memory'] as const;
export type DegradedComponent = (typeof DEGRADED_COMPONENTS)[number];

/**
 * Requests that met a secondary system down: `retrieval` (vector store or query embedder; the
 * request failed or was answered without documents, per the tenant's policy) or `cache` (the
 * response cache's Redis; bypassed). Exported at 0 from the start, so a rate is defined at once.
 */
export const degradedTotal = new Counter({
  name: 'conduit_degraded_total',
  help: 'Requests that met a secondary system down (retrieval: failed or answered without it per tenant policy; cache: bypassed), by component',
  labelNames: ['component'] as const,
  registers: [metricsRegistry],
});
for (const component of DEGRADED_COMPONENTS) degradedTotal.inc({ component }, 0);
