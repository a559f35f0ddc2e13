import { Inject, Injectable, Logger } from '@nestjs/common';
import { UsageEvent, uuidFromName } from '@conduit/contracts';
import { Prisma, PrismaService } from '@conduit/db';
import {
  BudgetCapStore,
  BudgetPeriod,
  BudgetScope,
  BudgetWindow,
  displayUsd,
  hourOf,
  LedgerSpend,
  nanoToDecimalString,
  Tier,
  toNano,
  windowOf,
} from '@conduit/budget';
import { injectTraceCarrier } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { JobProducer } from '@conduit/queue';
import { TenantStore } from '@conduit/tenancy';
import { DeliveryStore, WebhookEndpoints, WebhookEvent, enqueueWebhookDelivery } from '@conduit/webhooks';
import { MicroBatcher } from '../batching/micro-batcher';
import { billingCostAlertsTotal } from '../billing.metrics';
import { ALERT_SETTINGS, AlertEvent, AlertSettings, THRESHOLDS_PCT } from './alerts.constants';
import { BudgetUtilisation } from './budget-utilisation';
import { SpikeBaselines, TenantHour } from './spike-baselines';

const TIER_TTL_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/** Alert checks of one billing batch carry at most this many events. */
const MAX_BATCH = 200;

interface BilledEvent {
  event: UsageEvent;
  /** The tenant's spend in the event's UTC hour after its ledger write (nano-dollars). */
  hourSpendNano: number;
}

/** One capped window to compare with the ledger. */
interface CapCheck {
  tenantId: string;
  scope: BudgetScope;
  subjectId: string;
  period: BudgetPeriod;
  window: BudgetWindow;
  capNano: number;
  /** Thresholds not yet alerted by this process. */
  pending: number[];
}

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
  /** Spikes: `suspended` when the tenant's policy says `on_cost_spike: suspend`. */
  action?: 'alert' | 'suspended';
}

/**
 * Cost alerts, checked after each new ledger row (together with the rows billed concurrently): a
 * tenant's (or user's) spend passing 80 % and 100 % of a daily or monthly cap, and a tenant's
 * hourly spend rising above `ALERT_SPIKE_FACTOR` times its trailing hourly average. Each alert is
 * stored once (`cost_alerts.dedupe_key`), logged, counted in `conduit_billing_cost_alerts_total`,
 * and sent as a Standard Webhooks event (`budget.threshold`, `budget.exceeded`, `cost.spike`) to
 * every enabled registered endpoint of the tenant subscribed to it: the
 * deliveries (deterministic ids) are stored in the transaction that marks the alert notified, then
 * enqueued — the same path, retries and backoff as every other webhook.
 */
@Injectable()
export class CostAlerts {
  private readonly logger = new Logger(CostAlerts.name);
  private readonly tiers = new Map<string, { tier: Tier; expires: number }>();
  /** Alerts already stored and notified by this process: skip the database for them. */
  private readonly done = new Set<string>();
  private utilisation: BudgetUtilisation | undefined;
  private readonly batcher = new MicroBatcher<BilledEvent, void>((items) => this.checkBatch(items), { name: 'billing.alerts.check', maxBatch: MAX_BATCH });

  constructor(
    private readonly prisma: PrismaService,
    private readonly caps: BudgetCapStore,
    private readonly spend: LedgerSpend,
    private readonly producer: JobProducer,
    private readonly deliveries: DeliveryStore,
    private readonly endpoints: WebhookEndpoints,
    private readonly baselines: SpikeBaselines,
    private readonly policies: PolicyStore,
    private readonly tenants: TenantStore,
    @Inject(ALERT_SETTINGS) private readonly settings: AlertSettings,
  ) {}

  /**
   * Checks the alerts a new ledger row may raise. Events billed concurrently are checked together
   * (one {@link MicroBatcher} batch): spend is never negative, so a window's total after the batch
   * is at least what each event saw after its own write, and a threshold or spike one of them
   * would have seen is seen on the batch — one ledger query per batch instead of one per event.
   */
  afterBilled(event: UsageEvent, hourSpendNano: number): Promise<void> {
    return this.batcher.submit({ event, hourSpendNano });
  }

  private async checkBatch(items: readonly BilledEvent[]): Promise<PromiseSettledResult<void>[]> {
    await this.checkCaps(items.map((item) => item.event));
    await this.checkSpikes(items);
    return items.map(() => ({ status: 'fulfilled', value: undefined }));
  }

  private async checkCaps(events: readonly UsageEvent[]): Promise<void> {
    // The capped windows these events spent in with a threshold not yet known to be alerted.
    const checks = new Map<string, CapCheck>();
    for (const event of events) {
      const at = new Date(event.occurred_at);
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
          const id = `${scope}:${subjectId}:${period}:${window.id}`;
          if (checks.has(id)) continue;
          const pending = THRESHOLDS_PCT.filter((pct) => !this.done.has(this.thresholdKey(scope, subjectId, window.id, period, pct)));
          if (pending.length === 0) continue;
          checks.set(id, { tenantId: event.tenant_id, scope, subjectId, period, window, capNano: toNano(capUsd), pending });
        }
      }
    }
    if (checks.size === 0) return;
    const list = [...checks.values()];
    const spends = await this.spend.spendOfMany(
      list.map(({ tenantId, scope, period, subjectId, window }) => ({ tenantId, counter: { scope, period, subjectId, window, key: '' } })),
    );
    this.utilisation ??= new BudgetUtilisation(this.settings.utilisationTopN);
    for (const [index, check] of list.entries()) {
      const spendNano = spends[index];
      if (check.scope === 'tenant') this.utilisation.record(check.tenantId, check.period, spendNano / check.capNano);
      for (const pct of check.pending) {
        if (spendNano <= 0 || spendNano * 100 < check.capNano * pct) continue;
        await this.raise(this.thresholdKey(check.scope, check.subjectId, check.window.id, check.period, pct), {
          tenantId: check.tenantId,
          kind: 'budget_threshold',
          scope: check.scope,
          subjectId: check.subjectId,
          period: check.period,
          windowStart: check.window.start,
          windowEnd: check.window.end,
          thresholdPct: pct,
          capNano: check.capNano,
          spendNano,
          baselineNano: null,
        });
      }
    }
  }

  private async checkSpikes(items: readonly BilledEvent[]): Promise<void> {
    const { spikeFactor, spikeMinUsd, baselineHours } = this.settings;
    const minNano = toNano(spikeMinUsd);
    // Per tenant and hour, the highest spend the events saw (the latest write's total).
    const hours = new Map<string, TenantHour & { spendNano: number }>();
    for (const { event, hourSpendNano } of items) {
      if (hourSpendNano < minNano) continue;
      const hour = hourOf(new Date(event.occurred_at));
      const key = this.spikeKey(event.tenant_id, hour);
      if (this.done.has(key)) continue;
      const seen = hours.get(key);
      if (!seen || seen.spendNano < hourSpendNano) hours.set(key, { tenantId: event.tenant_id, hour, spendNano: hourSpendNano });
    }
    // A remembered baseline can only have grown since: if the spend is below the spike line even
    // for it, it is below the current one too, and no query is needed (the steady state).
    const open = [...hours.values()].filter((candidate) => {
      const total = this.baselines.remembered(candidate);
      return total === undefined || total <= 0 || candidate.spendNano >= spikeFactor * (total / baselineHours);
    });
    if (open.length === 0) return;
    const totals = await this.baselines.load(open);
    for (const [index, { tenantId, hour, spendNano }] of open.entries()) {
      const baselineNano = totals[index] / baselineHours;
      // No spend in the trailing window: no baseline to compare with (a new tenant is not a spike).
      if (baselineNano <= 0 || spendNano < spikeFactor * baselineNano) continue;
      const action = await this.spikeAction(tenantId);
      await this.raise(this.spikeKey(tenantId, hour), {
        tenantId,
        kind: 'spend_spike',
        scope: 'tenant',
        subjectId: tenantId,
        period: 'hourly',
        windowStart: hour,
        windowEnd: new Date(hour.getTime() + 3_600_000),
        thresholdPct: null,
        capNano: null,
        spendNano,
        baselineNano: Math.round(baselineNano),
        action,
      });
    }
  }

  /**
   * `on_cost_spike: suspend` suspends the tenant (its next request is refused with 403
   * `tenant_suspended` on every gateway) before the alert goes out. Idempotent: a spike seen again
   * (another batch, another billing replica) suspends nothing more.
   */
  private async spikeAction(tenantId: string): Promise<'alert' | 'suspended'> {
    if ((await this.policies.get(tenantId)).onCostSpike !== 'suspend') return 'alert';
    if (await this.tenants.suspend(tenantId, 'cost_spike')) this.logger.warn({ tenant_id: tenantId }, 'tenant suspended after a spend spike (on_cost_spike: suspend)');
    return 'suspended';
  }

  private spikeKey(tenantId: string, hour: Date): string {
    return `spend_spike:tenant:${tenantId}:hourly:${hour.toISOString()}`;
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
      ...(alert.action ? { action: alert.action } : {}),
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

  /**
   * Stores one delivery per enabled registered endpoint subscribed to the alert's event type,
   * together with the alert's `notified_at` (the outbox: either both commit or neither), then
   * enqueues them. A lost enqueue is the webhook reconciler's: the deliveries are stored and pending.
   */
  private async notify(alertId: string, createdAt: Date, alert: NewAlert, data: Record<string, unknown>): Promise<void> {
    const eventType = alertEventType(alert);
    const endpoints = await this.endpoints.listSubscribed(alert.tenantId, eventType);
    const events: WebhookEvent[] = endpoints.map((endpoint) => ({
      delivery_id: uuidFromName(`cost-alert:${alertId}:${endpoint.id}`),
      tenant_id: alert.tenantId,
      url: endpoint.url,
      event_type: eventType,
      data,
      occurred_at: createdAt.toISOString(),
    }));
    const traceparent = injectTraceCarrier().traceparent ?? null;
    await this.prisma.$transaction(async (tx) => {
      await this.deliveries.insert(
        events.map((event) => ({ event, traceparent })),
        tx,
      );
      await tx.costAlert.update({ where: { id: alertId }, data: { notifiedAt: new Date() } });
    });
    for (const event of events) {
      await enqueueWebhookDelivery(this.producer, event).catch((error: unknown) =>
        this.logger.warn({ err: error, delivery_id: event.delivery_id }, 'could not enqueue a cost alert webhook; the reconciler will'),
      );
    }
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

/** `cost.spike` for a spike, `budget.exceeded` at 100 % of a cap, `budget.threshold` below. */
function alertEventType(alert: Pick<NewAlert, 'kind' | 'thresholdPct'>): string {
  if (alert.kind === 'spend_spike') return AlertEvent.CostSpike;
  return (alert.thresholdPct ?? 0) >= 100 ? AlertEvent.BudgetExceeded : AlertEvent.BudgetThreshold;
}
