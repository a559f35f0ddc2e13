import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { uuidFromName } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { EvalAlertStore, EvalDimension, evalRegressionsTotal, EvalScoreStore, isoDay, RubricTotals, summaryOf, utcDay } from '@conduit/evaluation';
import { injectTraceCarrier } from '@conduit/observability';
import { JobProducer, LeaderInterval, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { DeliveryStore, enqueueWebhookDelivery, WebhookEndpoints, WebhookEvent } from '@conduit/webhooks';
import type { RegressionSettings } from '../config/eval-worker.config';
import { REGRESSION_SETTINGS } from '../eval-worker.constants';
import { DEFAULT_MIN_DROP_SHARE, judgeRegression } from './regression-rule';

const DAY_MS = 86_400_000;
export const EVAL_REGRESSION_EVENT = 'eval.regression';
const DIMENSIONS: readonly EvalDimension[] = ['model', 'template_version'];

/**
 * Regression alerts: per tenant, model (and template version, once turns carry one) and rubric,
 * the recent window (the last `recentDays` UTC days, today included) against the baseline window
 * (the `baselineDays` before it), from the daily aggregates; see {@link judgeRegression} for the
 * test. An alert is stored once per subject, rubric and day (`eval_alerts.dedupe_key`), counted in
 * `conduit_eval_regressions_total`, and sent as the signed webhook `eval.regression` to the
 * tenant's endpoints subscribed to it (deliveries stored with the alert's `notified_at`, then
 * enqueued; billing delivers them). Runs every `intervalMs` on one replica.
 */
@Injectable()
export class RegressionDetector implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RegressionDetector.name);
  private readonly interval: LeaderInterval<number>;

  constructor(
    private readonly scores: EvalScoreStore,
    private readonly alerts: EvalAlertStore,
    private readonly endpoints: WebhookEndpoints,
    private readonly deliveries: DeliveryStore,
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    @Inject(REGRESSION_SETTINGS) private readonly settings: RegressionSettings,
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions,
  ) {
    this.interval = new LeaderInterval(redis, `${queue.prefix}:eval:regression-check`, settings.intervalMs, () => this.check(), (error) =>
      this.logger.warn({ err: error }, 'regression check failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.interval.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.interval.stop();
  }

  /** One pass over every tenant; resolves to the number of alerts newly stored. */
  async check(now: Date = new Date()): Promise<number> {
    const today = utcDay(now);
    const recent = { from: new Date(today.getTime() - (this.settings.recentDays - 1) * DAY_MS), to: new Date(today.getTime() + DAY_MS) };
    const baseline = { from: new Date(recent.from.getTime() - this.settings.baselineDays * DAY_MS), to: recent.from };
    const rule = { minN: this.settings.minN, alpha: this.settings.alpha, minDropShare: DEFAULT_MIN_DROP_SHARE };
    let raised = 0;
    for (const dimension of DIMENSIONS) {
      const before = new Map((await this.scores.totals(dimension, baseline)).map((row) => [keyOf(row), row]));
      for (const row of await this.scores.totals(dimension, recent)) {
        const base = before.get(keyOf(row));
        if (!base) continue;
        const baseSummary = summaryOf(base.n, base.sum, base.sumSq);
        const recentSummary = summaryOf(row.n, row.sum, row.sumSq);
        const verdict = judgeRegression(row.rubric, baseSummary, recentSummary, rule);
        if (!verdict.regressed) continue;
        const details = {
          dimension,
          [dimension]: row.subject,
          rubric: row.rubric,
          test: 'welch_t_one_sided',
          alpha: rule.alpha,
          min_n: rule.minN,
          min_drop: verdict.minDrop,
          p_value: verdict.test.pLower,
          difference: verdict.test.difference,
          difference_ci95: verdict.test.interval,
          baseline: { mean: baseSummary.mean, n: baseSummary.n, from: isoDay(baseline.from), to: isoDay(new Date(baseline.to.getTime() - DAY_MS)) },
          recent: { mean: recentSummary.mean, n: recentSummary.n, from: isoDay(recent.from), to: isoDay(today) },
        };
        const { alert, created } = await this.alerts.raise({
          tenantId: row.tenantId,
          dimension,
          subject: row.subject,
          rubric: row.rubric,
          dedupeKey: `eval_regression:${row.tenantId}:${dimension}:${row.subject}:${row.rubric}:${isoDay(today)}`,
          baselineMean: baseSummary.mean,
          baselineN: baseSummary.n,
          recentMean: recentSummary.mean,
          recentN: recentSummary.n,
          pValue: verdict.test.pLower,
          windowStart: recent.from,
          windowEnd: recent.to,
          details,
        });
        if (created) {
          raised += 1;
          evalRegressionsTotal.inc({ dimension, rubric: row.rubric });
          this.logger.warn({ alert_id: alert.id, tenant_id: row.tenantId, ...details }, 'eval regression');
        }
        if (!alert.notifiedAt) await this.notify(alert.id, alert.createdAt, row.tenantId, { alert_id: alert.id, ...details });
      }
    }
    return raised;
  }

  /** The outbox: deliveries and the alert's `notified_at` commit together, then are enqueued (the webhook reconciler covers a lost enqueue). */
  private async notify(alertId: string, createdAt: Date, tenantId: string, data: Record<string, unknown>): Promise<void> {
    const endpoints = await this.endpoints.listSubscribed(tenantId, EVAL_REGRESSION_EVENT);
    const events: WebhookEvent[] = endpoints.map((endpoint) => ({
      delivery_id: uuidFromName(`eval-alert:${alertId}:${endpoint.id}`),
      tenant_id: tenantId,
      url: endpoint.url,
      event_type: EVAL_REGRESSION_EVENT,
      data,
      occurred_at: createdAt.toISOString(),
    }));
    const traceparent = injectTraceCarrier().traceparent ?? null;
    await this.prisma.$transaction(async (tx) => {
      await this.deliveries.insert(
        events.map((event) => ({ event, traceparent })),
        tx,
      );
      await this.alerts.markNotified(alertId, tx);
    });
    for (const event of events) {
      await enqueueWebhookDelivery(this.producer, event).catch((error: unknown) =>
        this.logger.warn({ err: error, delivery_id: event.delivery_id }, 'could not enqueue an eval regression webhook; the reconciler will'),
      );
    }
  }
}

function keyOf(row: RubricTotals): string {
  return `${row.tenantId}\u0000${row.subject}\u0000${row.rubric}`;
}
