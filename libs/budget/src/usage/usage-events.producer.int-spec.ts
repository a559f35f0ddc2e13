import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JobName, QueueName, USAGE_BATCH_MAX_EVENTS, UsageEventInput, usageBatchJobId, usageRecordJobId } from '@conduit/contracts';
import { JobProducer, QueueModule } from '@conduit/queue';
import { UsageEventProducer } from './usage-events.producer';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** What one emit puts on the usage queue (real Redis): one job per event alone, one per batch otherwise. */
describe('UsageEventProducer (real Redis)', () => {
  const prefix = `test-usage-producer-${randomUUID().slice(0, 8)}`;
  let app: INestApplicationContext;
  let usage: UsageEventProducer;
  const event = (overrides: Partial<UsageEventInput> = {}): UsageEventInput => ({
    event_id: randomUUID(),
    tenant_id: randomUUID(),
    user_id: null,
    api_key_id: null,
    request_id: 'req-usage-producer',
    provider: 'openai',
    model: 'gpt-test',
    input_tokens: 10,
    output_tokens: 5,
    latency_ms: 3,
    feature: 'chat',
    occurred_at: new Date().toISOString(),
    ...overrides,
  });
  const jobs = () => app.get(JobProducer).queue(QueueName.Usage).getJobs(['waiting']);

  beforeAll(async () => {
    @Module({ imports: [QueueModule.forRoot({ redisUrl, prefix })], providers: [UsageEventProducer] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    usage = app.get(UsageEventProducer);
  });

  beforeEach(() => app.get(JobProducer).queue(QueueName.Usage).obliterate({ force: true }));

  afterAll(async () => {
    await app?.get(JobProducer).queue(QueueName.Usage).obliterate({ force: true });
    await app?.close();
  });

  it('sends a lone event as usage.record under its event id', async () => {
    const one = event();
    await usage.emit([one]);
    const [job] = await jobs();
    expect(job).toMatchObject({ id: usageRecordJobId(one.event_id), name: JobName.UsageRecord, data: { event_id: one.event_id } });
  });

  it('sends the events of one emit as one usage.record.batch job; the same batch again adds nothing', async () => {
    const events = [event(), event(), event()];
    await usage.emit(events);
    await usage.emit(events);
    const queued = await jobs();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ id: usageBatchJobId(events.map((e) => e.event_id)), name: JobName.UsageRecordBatch });
    expect(queued[0].data.events.map((e: UsageEventInput) => e.event_id)).toEqual(events.map((e) => e.event_id));
  });

  it(`splits an emit of more than ${USAGE_BATCH_MAX_EVENTS} events into batches of at most that many`, async () => {
    const events = Array.from({ length: USAGE_BATCH_MAX_EVENTS + 3 }, () => event());
    await usage.emit(events);
    const sizes = (await jobs()).map((job) => job.data.events.length as number).sort((a, b) => b - a);
    expect(sizes).toEqual([USAGE_BATCH_MAX_EVENTS, 3]);
  });

  it('refuses an invalid event before anything is enqueued', async () => {
    await expect(usage.emit([event(), event({ input_tokens: -1 })])).rejects.toThrow(/input_tokens/);
    expect(await jobs()).toEqual([]);
  });
});
