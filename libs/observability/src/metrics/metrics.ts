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
