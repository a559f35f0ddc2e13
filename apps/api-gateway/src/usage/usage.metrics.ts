import { Counter } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

export const budgetRefusalsTotal = new Counter({
  name: 'conduit_budget_refusals_total',
  help: 'Calls refused with 402 budget_exceeded, by the cap that would have been crossed',
  labelNames: ['scope', 'period'] as const,
  registers: [metricsRegistry],
});

export const rateLimitRefusalsTotal = new Counter({
  name: 'conduit_rate_limit_refusals_total',
  help: 'Calls refused with 429 rate_limit_exceeded, by the limit hit',
  labelNames: ['subject', 'dimension'] as const,
  registers: [metricsRegistry],
});
