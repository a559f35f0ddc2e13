import { Injectable } from '@nestjs/common';
import { JobName, UsageBatch } from '@conduit/contracts';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { UsageRecordHandler } from './usage-record.handler';

/**
 * Bills a `usage.record.batch` (the usage events of one write-behind batch of a producer): every
 * event exactly as `usage.record` bills it alone ({@link UsageRecordHandler}, deduplicated by event
 * id), all at once so their ledger writes and Redis commits share statements. The job succeeds
 * when every event is billed; otherwise it fails with the first error and its retry bills the
 * rest (the events already billed are recognised as duplicates and not charged again).
 */
@Injectable()
@HandlesJob(JobName.UsageRecordBatch)
export class UsageBatchHandler implements JobHandler<typeof JobName.UsageRecordBatch> {
  constructor(private readonly record: UsageRecordHandler) {}

  async handle(batch: UsageBatch): Promise<{ events: number; recorded: number; cost_usd: number }> {
    const outcomes = await Promise.allSettled(batch.events.map((event) => this.record.handle(event)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const billed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    return { events: billed.length, recorded: billed.filter((b) => b.recorded).length, cost_usd: billed.reduce((sum, b) => sum + b.cost_usd, 0) };
  }
}
