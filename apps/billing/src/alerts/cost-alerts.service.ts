import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobName, UsageEvent, uuidFromName, webhookDeliverJobId } from '@conduit/contracts';
import { Prisma, PrismaService } from '@conduit/db';
import {
  BudgetCapStore,
  BudgetPeriod,
  BudgetScope,
  displayUsd,
  hourOf,
  LedgerSpend,
  nanoToDecimalString,
  Tier,
  toNano,
  windowOf,
} from '@conduit/budget';
import { JobProducer } from '@conduit/queue';
import { billingCostAlertsTotal } from '../billing.metrics';
import { ALERT_SETTINGS, AlertEvent, AlertSettings, THRESHOLDS_PCT } from './alerts.constants';

const TIER_TTL_MS = 60_000;
const MAX_REMEMBERED = 10_000;

interface NewAlert {
  tenantId: string;
  kind: 'budget_threshold' | 'spend_spike';
  scope: BudgetScope;
  subjectId: string;
  period: BudgetPeriod | 'hourly';
  windowStart: Date;
  windowEnd: Date;
  thresholdPct: number | null;
  capNano: number | null;
  spendNano: number;
  baselineNano: number | null;
}

/**
 * Cost alerts, checked after each ledger write: a tenant's (or user's) spend passing 80 % and 100 %
 * of a daily or monthly cap, and a tenant's hourly spend rising above `ALERT_SPIKE_FACTOR` times
 * its trailing hourly average. Each alert is stored once (`cost_alerts.dedupe_key`), logged,
 * counted in `conduit_billing_cost_alerts_total`, and sent as a Standard Webhooks event to every
 * enabled webhook endpoint of the tenant (`webhook.deliver`, deterministic delivery ids).
 */
@Injectable()
export class CostAlerts {
  private readonly logger = new Logger(CostAlerts.name);
  private readonly tiers = new Map<string, { tier: Tier; expires: number }>();
  /** Alerts already stored and notified by this process: skip the database for them. */
  private readonly done = new Set<string>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly caps: BudgetCapStore,
    private readonly spend: LedgerSpend,
    private readonly producer: JobProducer,
    @Inject(ALERT_SETTINGS) private readonly settings: AlertSettings,
  ) {}

  async afterBilled(event: UsageEvent, hourSpendNano: number): Promise<void> {
    const at = new Date(event.occurred_at);
    await this.checkCaps(event, at);
    await this.checkSpike(event.tenant_id, at, hourSpendNano);
  }

  private async checkCaps(event: UsageEvent, at: Date): Promise<void> {
    const tenantTier = await this.tierOf('tenant', event.tenant_id);
    const userTier = event.user_id ? await this.tierOf('user', event.user_id) : tenantTier;
    const caps = await this.caps.capsFor(event.tenant_id, event.user_id, { userTier, tenantTier });
    const subjects: [BudgetScope, string][] = [['tenant', event.tenant_id]];
    if (event.user_id) subjects.push(['user', event.user_id]);
    for (const [scope, subjectId] of subjects) {
      for (const period of ['daily', 'monthly'] as const) {
        const capUsd = caps[scope][period].usd;
        if (capUsd === null) continue;
        const window = windowOf(period, at);
        const pending = THRESHOLDS_PCT.filter((pct) => !this.done.has(this.thresholdKey(scope, subjectId, window.id, period, pct)));
        if (pending.length === 0) continue;
        const spendNano = await this.spend.spendOf(event.tenant_id, { scope, period, subjectId, window, key: '' });
        const capNano = toNano(capUsd);
        for (const pct of pending) {
          if (spendNano <= 0 || spendNano * 100 < capNano * pct) continue;
          await this.raise(this.thresholdKey(scope, subjectId, window.id, period, pct), {
            tenantId: event.tenant_id,
            kind: 'budget_threshold',
            scope,
            subjectId,
            period,
            windowStart: window.start,
            windowEnd: window.end,
            thresholdPct: pct,
            capNano,
            spendNano,
            baselineNano: null,
          });
        }
      }
    }
  }

  private async checkSpike(tenantId: string, at: Date, hourSpendNano: number): Promise<void> {
    const { spikeFactor, spikeMinUsd, baselineHours } = this.settings;
    if (hourSpendNano < toNano(spikeMinUsd)) return;
    const hour = hourOf(at);
    const key = `spend_spike:tenant:${tenantId}:hourly:${hour.toISOString()}`;
    if (this.done.has(key)) return;
    const history = await this.prisma.usageHourly.aggregate({
      _sum: { costUsd: true },
      where: { tenantId, hour: { gte: new Date(hour.getTime() - baselineHours * 3_600_000), lt: hour } },
    });
    const baselineNano = toNano(Number(history._sum.costUsd ?? 0)) / baselineHours;
    // No spend in the trailing window: no baseline to compare with (a new tenant is not a spike).
    if (baselineNano <= 0 || hourSpendNano < spikeFactor * baselineNano) return;
    await this.raise(key, {
      tenantId,
      kind: 'spend_spike',
      scope: 'tenant',
      subjectId: tenantId,
      period: 'hourly',
      windowStart: hour,
      windowEnd: new Date(hour.getTime() + 3_600_000),
      thresholdPct: null,
      capNano: null,
      spendNano: hourSpendNano,
      baselineNano: Math.round(baselineNano),
    });
  }

  private thresholdKey(scope: BudgetScope, subjectId: string, windowId: string, period: BudgetPeriod, pct: number): string {
    return `budget_threshold:${scope}:${subjectId}:${period}:${windowId}:${pct}`;
  }

  /** Stores the alert once; announces it (log, metric) when new; notifies until notified. */
  private async raise(dedupeKey: string, alert: NewAlert): Promise<void> {
    const data = {
      kind: alert.kind,
      scope: alert.scope,
      subject_id: alert.subjectId,
      period: alert.period,
      window_start: alert.windowStart.toISOString(),
      window_end: alert.windowEnd.toISOString(),
      spend_usd: displayUsd(alert.spendNano),
      ...(alert.thresholdPct !== null ? { threshold_pct: alert.thresholdPct } : {}),
      ...(alert.capNano !== null ? { cap_usd: displayUsd(alert.capNano) } : {}),
      ...(alert.baselineNano !== null ? { baseline_hourly_usd: displayUsd(alert.baselineNano), factor: this.settings.spikeFactor } : {}),
    };
    const { count } = await this.prisma.costAlert.createMany({
      data: [
        {
          tenantId: alert.tenantId,
          kind: alert.kind,
          scope: alert.scope,
          subjectId: alert.subjectId,
          period: alert.period,
          windowStart: alert.windowStart,
          dedupeKey,
          thresholdPct: alert.thresholdPct,
          capUsd: alert.capNano === null ? null : nanoToDecimalString(alert.capNano),
          spendUsd: nanoToDecimalString(alert.spendNano),
          baselineUsd: alert.baselineNano === null ? null : nanoToDecimalString(alert.baselineNano),
          details: data as Prisma.InputJsonObject,
        },
      ],
      skipDuplicates: true,
    });
    const stored = await this.prisma.costAlert.findUniqueOrThrow({ where: { dedupeKey } });
    if (count === 1) {
      billingCostAlertsTotal.inc({ kind: alert.kind, scope: alert.scope, period: alert.period, threshold: String(alert.thresholdPct ?? 'spike') });
      this.logger.warn({ alert_id: stored.id, tenant_id: alert.tenantId, dedupe_key: dedupeKey, ...data }, `cost alert: ${alert.kind}`);
    }
    if (!stored.notifiedAt) await this.notify(stored.id, stored.createdAt, alert, { ...data, alert_id: stored.id });
    if (this.done.size >= MAX_REMEMBERED) this.done.clear();
    this.done.add(dedupeKey);
  }

  private async notify(alertId: string, createdAt: Date, alert: NewAlert, data: Record<string, unknown>): Promise<void> {
    const endpoints = await this.prisma.webhookEndpoint.findMany({
      where: { tenantId: alert.tenantId, disabledAt: null },
      select: { id: true, url: true },
    });
    for (const endpoint of endpoints) {
      const deliveryId = uuidFromName(`cost-alert:${alertId}:${endpoint.id}`);
      await this.producer.enqueue(
        JobName.WebhookDeliver,
        {
          delivery_id: deliveryId,
          tenant_id: alert.tenantId,
          url: endpoint.url,
          event_type: alert.kind === 'spend_spike' ? AlertEvent.SpendSpike : AlertEvent.BudgetThreshold,
          data,
          occurred_at: createdAt.toISOString(),
        },
        { jobId: webhookDeliverJobId(deliveryId) },
      );
    }
    await this.prisma.costAlert.update({ where: { id: alertId }, data: { notifiedAt: new Date() } });
  }

  private async tierOf(kind: 'tenant' | 'user', id: string): Promise<Tier> {
    const cacheKey = `${kind}:${id}`;
    const cached = this.tiers.get(cacheKey);
    if (cached && cached.expires > Date.now()) return cached.tier;
    const row =
      kind === 'tenant'
        ? await this.prisma.tenant.findUnique({ where: { id }, select: { tier: true } })
        : await this.prisma.user.findUnique({ where: { id }, select: { tier: true } });
    const tier = row?.tier ?? 'free';
    if (this.tiers.size >= MAX_REMEMBERED) this.tiers.clear();
    this.tiers.set(cacheKey, { tier, expires: Date.now() + TIER_TTL_MS });
    return tier;
  }
}
