import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '@conduit/contracts';

/**
 * How many jobs of the queues a platform consumes are not finished yet (waiting, active, delayed or
 * prioritized). Zero means nothing is in flight: the moment to check that something did NOT
 * happen (no second webhook, no double billing) instead of sleeping "long enough".
 */
export class QueueDepth {
  private readonly redis: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly consumed: readonly QueueName[],
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  }

  /** Unfinished jobs in the consumed queues. */
  async unfinished(): Promise<number> {
    const counts = await Promise.all(this.consumed.map((name) => this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
    return counts.reduce((sum, count) => sum + Object.values(count).reduce((a, b) => a + b, 0), 0);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
