import { Injectable } from '@nestjs/common';
import { JobName, UsageEventInput, usageRecordJobId } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';

/**
 * The producer of `usage.record` (consumed by billing, which prices each event into the ledger
 * and settles its budget reservation). Any service that makes a billable call emits its usage
 * here: each event is validated against the contract and enqueued under a job id derived from its
 * `event_id`, so an event emitted twice is billed once. Lives with the budget capability because
 * usage events are what budgets are spent by.
 */
@Injectable()
export class UsageEventProducer {
  constructor(private readonly producer: JobProducer) {}

  /** Emits events in one Redis round trip (none: no round trip). */
  async emit(events: readonly UsageEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.enqueueMany(
      JobName.UsageRecord,
      events.map((payload) => ({ payload, options: { jobId: usageRecordJobId(payload.event_id) } })),
    );
  }
}
