import { randomUUID } from 'node:crypto';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { JobName, type JobPayload, usageRecordJobId } from '@conduit/contracts';
import {
  createRedisConnection,
  HandlesJob,
  InvalidationChannel,
  JobProducer,
  QueueModule,
  queueKeyPrefix,
  type JobHandler,
  type RedisTopology,
  useRedisTopology,
} from '@conduit/queue';
import { redisBinariesPresent, startRedisCluster, startRedisSentinel, type RunningRedis } from '@conduit/queue/testing';
import { waitFor } from '@conduit/testing';
import { NANO_PER_USD } from '../money';
import { resolveCaps, type RateLimits } from '../policy/caps';
import { DEFAULT_TIER_POLICY } from '../policy/tier-policy';
import type { CounterRef } from './usage-keys';
import { type SpendSource, UsageControls } from './usage-controls';

/*
 * REDIS_MODE=cluster and REDIS_MODE=sentinel against real servers: a three-master Redis Cluster and
 * a master with one Sentinel, started from the Debian `redis-server` binary on loopback ports
 * (.ci/scripts/ci/ensure-services.sh installs it). Covers what the services do with Redis: a job
 * enqueued and consumed through QueueModule (BullMQ, hash-tagged prefix), the budget scripts
 * (admit, settle, commit, batched commits across tenants) and pub/sub invalidation.
 */
const present = redisBinariesPresent();
if (!present) process.stderr.write('redis-topologies.int-spec: redis-server/redis-cli not on PATH: Redis Cluster and Sentinel tests skipped\n');
const describeWithRedis = present ? describe : describe.skip;

const USD = NANO_PER_USD;
const noLimits: RateLimits = { keyRpm: null, keyTpm: null, userRpm: null, userTpm: null };

class ZeroLedger implements SpendSource {
  async spendOf(_tenantId: string, _counter: CounterRef): Promise<number> {
    return 0;
  }
}

function usageEvent(tenantId: string): JobPayload<typeof JobName.UsageRecord> {
  return {
    event_id: randomUUID(),
    tenant_id: tenantId,
    user_id: randomUUID(),
    api_key_id: null,
    request_id: null,
    provider: 'local',
    model: 'hashing-v2',
    input_tokens: 10,
    output_tokens: 0,
    latency_ms: 1,
    feature: 'embedding',
    occurred_at: new Date().toISOString(),
  } as JobPayload<typeof JobName.UsageRecord>;
}

/** QueueModule with a `usage.record` consumer that collects the event ids it was given. */
async function startQueueApp(redisUrl: string, prefix: string, topology: RedisTopology, received: string[]): Promise<INestApplicationContext> {
  @Injectable()
  @HandlesJob(JobName.UsageRecord)
  class CollectingHandler implements JobHandler<typeof JobName.UsageRecord> {
    async handle(payload: JobPayload<typeof JobName.UsageRecord>): Promise<void> {
      received.push(payload.event_id);
    }
  }
  // The usage queue also carries write-behind batches: every job of a consumed queue needs a handler.
  @Injectable()
  @HandlesJob(JobName.UsageRecordBatch)
  class CollectingBatchHandler implements JobHandler<typeof JobName.UsageRecordBatch> {
    async handle(payload: JobPayload<typeof JobName.UsageRecordBatch>): Promise<void> {
      for (const event of payload.events) received.push(event.event_id);
    }
  }
  @Module({ imports: [QueueModule.forRoot({ redisUrl, prefix, topology }), QueueModule.forWorker([CollectingHandler, CollectingBatchHandler], { depthIntervalMs: 0 })] })
  class TopologyTestModule {}
  const app = await NestFactory.createApplicationContext(TopologyTestModule, { logger: false, abortOnError: false });
  await app.init();
  return app;
}

/** Enqueue → consume through the real producer and worker host. */
async function roundTrip(app: INestApplicationContext, received: string[]): Promise<void> {
  const event = usageEvent(randomUUID());
  await app.get(JobProducer).enqueue(JobName.UsageRecord, event, { jobId: usageRecordJobId(event.event_id) });
  await waitFor(async () => received, { what: 'the job to be consumed', until: (ids) => ids.includes(event.event_id), timeoutMs: 20_000 });
}

/** Admit, settle and commit one call, and commit a batch spanning tenants (several slots). */
async function budgetScripts(redis: Redis, prefix: string): Promise<void> {
  const controls = new UsageControls(redis, new ZeroLedger(), { prefix, reservationTtlMs: 60_000, settledTtlMs: 60_000 });
  const caps = resolveCaps(DEFAULT_TIER_POLICY, { userTier: 'free', tenantTier: 'free' }, [{ scope: 'tenant', period: 'daily', usd: 0.02 }]);
  const tenantId = randomUUID();
  const userId = randomUUID();
  const call = (reservationId = randomUUID()) => ({ reservationId, tenantId, userId, apiKeyId: randomUUID(), estimateNano: USD / 100, estimateTokens: 10, caps, rate: noLimits });
  const first = call();
  expect(await controls.admit(first)).toMatchObject({ admitted: true });
  expect(await controls.admit(call())).toMatchObject({ admitted: true });
  expect(await controls.admit(call())).toMatchObject({ admitted: false, reason: 'budget_exceeded', scope: 'tenant' });
  expect(await controls.settle(tenantId, first.reservationId, USD / 1_000, 10)).toBe('settled');
  const commit = { tenantId, userId, eventId: randomUUID(), reservationId: first.reservationId, costNano: USD / 1_000, occurredAt: new Date() };
  expect(await controls.commit(commit)).toBe('billed');
  expect(await controls.commit(commit)).toBe('duplicate');
  const batch = Array.from({ length: 12 }, () => ({ tenantId: randomUUID(), userId: randomUUID(), eventId: randomUUID(), reservationId: null, costNano: 1_000, occurredAt: new Date() }));
  expect((await controls.commitMany(batch)).map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(batch.map(() => 'billed'));
  expect((await controls.commitMany(batch)).map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(batch.map(() => 'duplicate'));
  const [, , tenantDaily] = await controls.snapshot(tenantId, userId);
  expect(tenantDaily).toMatchObject({ spentNano: USD / 1_000, heldNano: USD / 100 });
}

/** An announcement published on one connection reaches a listener subscribed on another. */
async function invalidation(url: string, topology: RedisTopology, prefix: string): Promise<void> {
  const publisher = createRedisConnection(url, { maxRetriesPerRequest: 2 }, topology);
  const listener = createRedisConnection(url, { maxRetriesPerRequest: 2 }, topology);
  const heard: string[] = [];
  const listening = new InvalidationChannel(listener, `${prefix}:policies`);
  try {
    listening.listen({ onMessage: (message) => heard.push(message), onResubscribed: () => undefined }, 'topology-test');
    const announcing = new InvalidationChannel(publisher, `${prefix}:policies`);
    // Announced until heard: the subscription is asked for asynchronously.
    await waitFor(
      async () => {
        await announcing.announce('tenant-1');
        return heard;
      },
      { what: 'the announcement to be heard', until: (messages) => messages.includes('tenant-1'), timeoutMs: 15_000 },
    );
  } finally {
    await listening.close();
    publisher.disconnect();
    listener.disconnect();
  }
}

describeWithRedis('REDIS_MODE=cluster: a real three-master Redis Cluster', () => {
  let cluster: RunningRedis;
  let topology: RedisTopology;
  let url: string;
  const prefix = `test-cluster-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    topology = { mode: 'cluster', nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })) };
    url = `redis://127.0.0.1:${cluster.ports[0]}`;
  }, 120_000);

  afterAll(async () => {
    useRedisTopology({ mode: 'standalone' });
    await cluster?.stop();
  });

  it('enqueues and consumes a job; every key of the queue is in one slot (hash-tagged prefix)', async () => {
    const received: string[] = [];
    const app = await startQueueApp(url, prefix, topology, received);
    try {
      await roundTrip(app, received);
      expect(queueKeyPrefix(prefix, topology)).toBe(`{${prefix}}`);
      const redis = createRedisConnection(url, { maxRetriesPerRequest: 2 }, topology);
      try {
        // Every master's keys of this deployment: all in the slot of the hash tag.
        const keys: string[] = [];
        for (const port of cluster.ports) {
          const node = createRedisConnection(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 2 }, { mode: 'standalone' });
          keys.push(...(await node.keys(`{${prefix}}:*`)));
          node.disconnect();
        }
        expect(keys.some((key) => key.includes(':usage:'))).toBe(true);
        const slots = new Set(await Promise.all(keys.map((key) => redis.call('CLUSTER', 'KEYSLOT', key))));
        expect(slots.size).toBe(1);
      } finally {
        redis.disconnect();
      }
    } finally {
      await app.close();
    }
  });

  it('runs the budget scripts slot by slot: admit, settle, commit, and a commit batch across tenants', async () => {
    const redis = createRedisConnection(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true }, topology);
    try {
      await budgetScripts(redis, prefix);
    } finally {
      redis.disconnect();
    }
  });

  it('delivers pub/sub invalidations between connections', async () => {
    await invalidation(url, topology, prefix);
  });
});

describeWithRedis('REDIS_MODE=sentinel: a master found through a real Sentinel', () => {
  let servers: RunningRedis;
  let topology: RedisTopology;
  // In sentinel mode REDIS_URL gives only credentials, database and TLS; the host is the Sentinel's answer.
  const url = 'redis://sentinel-managed/0';
  const prefix = `test-sentinel-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    servers = await startRedisSentinel('conduit-master');
    topology = { mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port: servers.ports[1] }], master: 'conduit-master' };
  }, 60_000);

  afterAll(async () => {
    useRedisTopology({ mode: 'standalone' });
    await servers?.stop();
  });

  it('enqueues and consumes a job, keeps its usual prefix, and runs the budget scripts', async () => {
    const received: string[] = [];
    const app = await startQueueApp(url, prefix, topology, received);
    try {
      await roundTrip(app, received);
      expect(queueKeyPrefix(prefix, topology)).toBe(prefix);
    } finally {
      await app.close();
    }
    const redis = createRedisConnection(url, { maxRetriesPerRequest: 2 }, topology);
    try {
      await budgetScripts(redis, prefix);
    } finally {
      redis.disconnect();
    }
  });

  it('delivers pub/sub invalidations', async () => {
    await invalidation(url, topology, prefix);
  });
});
