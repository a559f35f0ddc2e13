import { randomUUID } from 'node:crypto';
import { metricsRegistry } from '@conduit/observability';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { refreshQueueGauges } from './index';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

async function gauge(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  return metric?.values.find((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v))?.value;
}

describe('queue gauges over real Redis', () => {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `gauges-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('usage', { connection, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('reports depth by state, the age of the oldest waiting job and the dead-letter count', async () => {
    const now = Date.now();
    await queue.add('usage.record', {}, { timestamp: now - 90_000 });
    await queue.add('usage.record', {}, { timestamp: now - 5_000 });
    await refreshQueueGauges(queue, now);

    expect(await gauge('conduit_queue_depth', { queue: 'usage', state: 'waiting' })).toBe(2);
    expect(await gauge('conduit_queue_oldest_job_age_seconds', { queue: 'usage' })).toBeCloseTo(90, 0);
    expect(await gauge('conduit_queue_dead_letter_jobs', { queue: 'usage' })).toBe(0);

    await queue.drain();
    await refreshQueueGauges(queue, now);
    expect(await gauge('conduit_queue_oldest_job_age_seconds', { queue: 'usage' })).toBe(0);
  });
});
