import { Counter } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/** Every settle and release a service sends to Redis (whoever calls, so the owner rule is visible per service). */
export const reservationsEndedTotal = new Counter({
  name: 'conduit_budget_reservations_ended_total',
  help: 'Budget reservations this service settled (with the actual cost) or released (nothing produced)',
  labelNames: ['action'] as const,
  registers: [metricsRegistry],
});
