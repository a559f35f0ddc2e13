import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

export const billingEventsTotal = new Counter({
  name: 'conduit_billing_events_total',
  help: 'Usage events by outcome (recorded, duplicate) and whether a price was in force',
  labelNames: ['outcome', 'priced'] as const,
  registers: [metricsRegistry],
});

export const billingCostUsdTotal = new Counter({
  name: 'conduit_billing_cost_usd_total',
  help: 'Billed cost in USD written to the ledger',
  labelNames: ['provider', 'model', 'feature'] as const,
  registers: [metricsRegistry],
});

export const billingCostAlertsTotal = new Counter({
  name: 'conduit_billing_cost_alerts_total',
  help: 'Cost alerts raised (budget thresholds, spend spikes)',
  labelNames: ['kind', 'scope', 'period', 'threshold'] as const,
  registers: [metricsRegistry],
});

export const billingLedgerBatchSize = new Histogram({
  name: 'conduit_billing_ledger_batch_size',
  help: 'Distinct usage events written by one ledger statement (concurrent jobs coalesced)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 200],
  registers: [metricsRegistry],
});

export const billingLedgerBatchFallbacksTotal = new Counter({
  name: 'conduit_billing_ledger_batch_fallbacks_total',
  help: 'Ledger batches whose statement failed and whose events were then written one by one',
  registers: [metricsRegistry],
});
