import { Injectable } from '@nestjs/common';
import { CommitInput, UsageControls } from '@conduit/budget';
import { MicroBatcher } from '../batching/micro-batcher';

/** Most commits one Redis pipeline carries. */
const MAX_BATCH = 200;

/**
 * Commits billed costs to the Redis budget counters ({@link UsageControls.commit}), coalescing the
 * commits of concurrently processed events into one pipeline ({@link UsageControls.commitMany}).
 * Per event nothing changes: the same idempotent script, its own outcome or error.
 */
@Injectable()
export class BudgetCommits {
  private readonly batcher = new MicroBatcher<CommitInput, 'billed' | 'duplicate'>((inputs) => this.controls.commitMany(inputs), {
    name: 'billing.budget.commit',
    maxBatch: MAX_BATCH,
  });

  constructor(private readonly controls: UsageControls) {}

  commit(input: CommitInput): Promise<'billed' | 'duplicate'> {
    return this.batcher.submit(input);
  }
}
