import { z } from 'zod';
import { budgetEnv, budgetSettings } from '@conduit/budget';
import { coreSettings, serviceEnv } from '@conduit/config';
import { refuseInsecureWebhookTargets, webhookSettings, webhooksEnv } from '@conduit/webhooks';

const int = (min: number, max: number, fallback: number) => z.coerce.number().pipe(z.int().min(min).max(max)).default(fallback);

export const billingConfigSchema = z
  .object({
    ...serviceEnv(8084),
    ...budgetEnv,
    /**
     * Usage jobs processed at once. High on purpose: the events in flight together are written to
     * the ledger as one statement (and committed to Redis as one pipeline), so this bounds the
     * batch size, and with it the CPU saved per event. Each job costs little memory while it waits.
     */
    USAGE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
    /** A usage (or webhook) job whose worker died is re-run after this lock expires (BullMQ lockDuration). */
    USAGE_JOB_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    /** An hour's spend above this multiple of the trailing hourly average raises `spend_spike`. */
    ALERT_SPIKE_FACTOR: z.coerce.number().min(1).max(1_000).default(3),
    /** …and only when that hour's spend is at least this many USD (no alerts for pennies). */
    ALERT_SPIKE_MIN_USD: z.coerce.number().min(0).default(1),
    /** Hours of history the trailing average covers. */
    ALERT_SPIKE_BASELINE_HOURS: z.coerce.number().int().min(1).max(24 * 28).default(24),
    /** Tenants exported by `conduit_budget_utilisation_ratio`: the N closest to (or past) a cap. */
    BUDGET_METRIC_TOP_N: int(0, 1_000, 20),
    // Webhook delivery (`webhook.deliver`): where webhooks may go, timeouts, the retry schedule.
    ...webhooksEnv,
    /** How often pending deliveries missing from the queue are looked for; 0 disables. */
    WEBHOOK_RECONCILE_INTERVAL_MS: int(0, 3_600_000, 30_000),
    /** How long past its due time a pending delivery may be before the reconciler looks at it. */
    WEBHOOK_RECONCILE_GRACE_MS: int(100, 86_400_000, 60_000),
  })
  .superRefine(refuseInsecureWebhookTargets)
  .transform((env) => {
    const core = coreSettings(env);
    return {
      ...core,
      budget: budgetSettings(env, core, true),
      usage: { concurrency: env.USAGE_CONCURRENCY, lockDurationMs: env.USAGE_JOB_LOCK_MS },
      alerts: { spikeFactor: env.ALERT_SPIKE_FACTOR, spikeMinUsd: env.ALERT_SPIKE_MIN_USD, baselineHours: env.ALERT_SPIKE_BASELINE_HOURS, utilisationTopN: env.BUDGET_METRIC_TOP_N },
      webhooks: { ...webhookSettings(env), reconcileIntervalMs: env.WEBHOOK_RECONCILE_INTERVAL_MS, reconcileGraceMs: env.WEBHOOK_RECONCILE_GRACE_MS },
    };
  });

export type BillingConfig = z.output<typeof billingConfigSchema>;
export type AlertSettings = BillingConfig['alerts'];
