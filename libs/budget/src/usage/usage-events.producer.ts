import { Injectable } from '@nestjs/common';
import { JobName, USAGE_BATCH_MAX_EVENTS, UsageEventInput, usageBatchJobId, usageRecordJobId } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';

/**
 * The producer of usage events (consumed by billing, which prices each event into the ledger
 * and settles its budget reservation). Any service that makes a billable call emits its usage
 * here, validated against the contract. One event goes as a `usage.record` job under a job id
 * derived from its `event_id`; the events of one call (a write-behind batch of turns) go as one
 * `usage.record.batch` job (up to `USAGE_BATCH_MAX_EVENTS` each), under a job id derived from
 * their ids. Either way billing deduplicates by `event_id`, so an event emitted twice is billed
 * once. Lives with the budget capability because usage events are what budgets are spent by.
 */
@Injectable()
export class UsageEventProducer {
  constructor(private readonly producer: JobProducer) {}

  /** Emits events in one Redis round trip (none: no round trip). */
  async emit(events: readonly UsageEventInput[]): Promise<void> {
    if (events.length === 0) return;
    if (events.length === 1) {
      await this.producer.enqueue(JobName.UsageRecord, events[0], { jobId: usageRecordJobId(events[0].event_id) });
      return;
    }
    const batches: UsageEventInput[][] = [];
    for (let start = 0; start < events.length; start += USAGE_BATCH_MAX_EVENTS) batches.push(events.slice(start, start + USAGE_BATCH_MAX_EVENTS));
    await this.producer.enqueueMany(
      JobName.UsageRecordBatch,
      batches.map((batch) => ({ payload: { events: batch }, options: { jobId: usageBatchJobId(batch.map((event) => event.event_id)) } })),
    );
  }
}
