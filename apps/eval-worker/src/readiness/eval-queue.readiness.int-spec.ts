import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { JobName, QueueName } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';
import { EvalQueueReadiness } from './eval-queue.readiness';

const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

describe('EvalQueueReadiness against real Redis', () => {
  let redis: Redis;
  let producer: JobProducer;

  beforeAll(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    // A queue nobody consumes: what the eval queue looks like when its consumer is gone.
    producer = new JobProducer(redis, { redisUrl, prefix: `test-${randomBytes(6).toString('hex')}` });
  });

  afterAll(async () => {
    await producer.queue(QueueName.Eval).obliterate({ force: true });
    await producer.onApplicationShutdown();
    await redis.quit();
  });

  const readiness = (readyMaxAgeS: number) => new EvalQueueReadiness(producer, { judgeModel: 'default', judgeTimeoutMs: 1_000, concurrency: 1, readyMaxAgeS });

  it('is ready with an empty queue and shows the counts', async () => {
    await expect(readiness(60).check()).resolves.toEqual({ waiting: 0, active: 0, delayed: 0, oldest_waiting_s: 0 });
  });

  it('is not ready once the oldest waiting eval job is older than the limit (no consumer is taking them)', async () => {
    await producer.enqueue(
      JobName.EvalTurn,
      { tenant_id: randomUUID(), message_id: randomUUID(), reason: 'sampled' },
      { jobId: `stale-${randomUUID()}`, timestamp: Date.now() - 120_000 },
    );
    await expect(readiness(60).check()).rejects.toThrow(/oldest waiting eval job is 1\d\d s old/);
    await expect(readiness(600).check()).resolves.toMatchObject({ waiting: 1 });
  });
});
