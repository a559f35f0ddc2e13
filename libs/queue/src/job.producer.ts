import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import type { Redis } from 'ioredis';
import { JobInput, JobName, QueueName, payloadSchemaOf, queueOfJob } from '@conduit/contracts';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from './queue.constants';
import { queueKeyPrefix } from './redis.connection';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

/**
 * Enqueues jobs after validating their payloads against the contract. Pass a deterministic
 * `jobId` wherever a duplicate would double-bill or double-send: BullMQ ignores a second add.
 */
@Injectable()
export class JobProducer implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly telemetry = new BullMQOtel({ tracerName: 'conduit-queue' });

  constructor(
    @Inject(REDIS_CONNECTION) private readonly connection: Redis,
    @Inject(QUEUE_OPTIONS) private readonly options: QueueModuleOptions,
  ) {}

  async enqueue<J extends JobName>(job: J, payload: JobInput<J>, options: JobsOptions = {}): Promise<string> {
    const data = payloadSchemaOf(job).parse(payload);
    const added = await this.queue(queueOfJob(job)).add(job, data, { ...DEFAULT_JOB_OPTIONS, ...options });
    return added.id ?? '';
  }

  /** Enqueues many jobs of one name in a single Redis round trip (`addBulk`). */
  async enqueueMany<J extends JobName>(job: J, items: { payload: JobInput<J>; options?: JobsOptions }[]): Promise<void> {
    if (items.length === 0) return;
    const schema = payloadSchemaOf(job);
    const jobs = items.map(({ payload, options }) => ({
      name: job,
      data: schema.parse(payload),
      opts: { ...DEFAULT_JOB_OPTIONS, ...options },
    }));
    await this.queue(queueOfJob(job)).addBulk(jobs);
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: queueKeyPrefix(this.options.prefix, this.options.topology), telemetry: this.telemetry });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
