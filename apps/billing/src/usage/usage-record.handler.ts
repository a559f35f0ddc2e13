import { Injectable, Logger } from '@nestjs/common';
import { JobName, UsageEvent } from '@conduit/contracts';
import { PriceBook } from '@conduit/budget';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { CostAlerts } from '../alerts/cost-alerts.service';
import { billingCostUsdTotal, billingEventsTotal } from '../billing.metrics';
import { LedgerWriter } from '../ledger/ledger.writer';
import { ActiveUsers } from './active-users';
import { BudgetCommits } from './budget-commits';

/**
 * Bills one usage event: prices it from the versioned price list at the time it occurred, appends
 * it to the ledger with its aggregates (deduplicated by event id), then counts its cost as spent
 * in the Redis budget counters (idempotent per event, so it runs on redeliveries too: a crash
 * between the two steps is repaired by the retry) and checks cost alerts.
 *
 * One job is one event, but the worker runs many at once (`USAGE_CONCURRENCY`): the ledger write,
 * the Redis commit and the alert checks of concurrently processed events are coalesced into one
 * statement / pipeline / check per batch, each job still awaiting (and failing on) its own event.
 */
@Injectable()
@HandlesJob(JobName.UsageRecord)
export class UsageRecordHandler implements JobHandler<typeof JobName.UsageRecord> {
  private readonly logger = new Logger(UsageRecordHandler.name);

  constructor(
    private readonly prices: PriceBook,
    private readonly ledger: LedgerWriter,
    private readonly commits: BudgetCommits,
    private readonly alerts: CostAlerts,
    private readonly activeUsers: ActiveUsers,
  ) {}

  async handle(event: UsageEvent): Promise<{ recorded: boolean; cost_usd: number }> {
    await this.prices.ready();
    const occurredAt = new Date(event.occurred_at);
    const cost = this.prices.costOf(
      event.model,
      {
        input_tokens: event.input_tokens,
        output_tokens: event.output_tokens,
        cached_tokens: event.cached_tokens,
        cache_write_tokens: event.cache_write_tokens,
      },
      occurredAt,
    );
    const write = await this.ledger.record(event, cost);
    await this.commits.commit({
      tenantId: event.tenant_id,
      userId: event.user_id,
      apiKeyId: event.api_key_id,
      eventId: event.event_id,
      reservationId: event.reservation_id,
      costNano: cost.nano,
      occurredAt,
    });
    billingEventsTotal.inc({ outcome: write.inserted ? 'recorded' : 'duplicate', priced: String(cost.priced) });
    if (write.inserted) {
      billingCostUsdTotal.inc({ provider: event.provider, model: event.model, feature: event.feature }, cost.usd);
      if (!cost.priced) this.logger.warn({ event_id: event.event_id, model: event.model }, 'no price in force for model: billed at 0');
      await this.alerts.afterBilled(event, write.hourSpendNano);
      if (event.user_id) await this.activeUsers.seen(event.user_id, occurredAt);
    }
    return { recorded: write.inserted, cost_usd: cost.usd };
  }
}
