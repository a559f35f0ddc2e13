import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

export const webhookAttemptsTotal = new Counter({
  name: 'conduit_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome (delivered, failed, gone, forbidden)',
  labelNames: ['event_type', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const webhookAttemptDuration = new Histogram({
  name: 'conduit_webhook_attempt_duration_seconds',
  help: 'Webhook delivery attempt latency, receiver included',
  labelNames: ['outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const webhookDeliveriesFinished = new Counter({
  name: 'conduit_webhook_deliveries_total',
  help: 'Webhook deliveries that ended, by status (succeeded, failed) and reason',
  labelNames: ['status', 'reason'] as const,
  registers: [metricsRegistry],
});
