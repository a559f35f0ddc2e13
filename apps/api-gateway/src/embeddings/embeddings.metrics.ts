import { Counter } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/**
 * `POST /v1/embeddings` calls by model and outcome: `hit` (served from the tenant's cache),
 * `miss` (computed and cached), `uncached` (computed; the model is not cached), `error` (the
 * provider failed).
 */
export const embeddingsRequestsTotal = new Counter({
  name: 'conduit_embeddings_requests_total',
  help: 'Embeddings API calls by model and outcome (hit, miss, uncached, error)',
  labelNames: ['model', 'outcome'] as const,
  registers: [metricsRegistry],
});
