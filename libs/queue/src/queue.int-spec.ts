import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { JobName, UsageBatch, UsageEvent, UsageEventInput } from '@conduit/contracts';
import { metricsRegistry, shutdownTelemetry, startTelemetry } from '@conduit/observability';
import { waitFor } from '@conduit/testing';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { HandlesJob, JobHandler, JobProducer, QueueModule, REDIS_CONNECTION } from './index';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

interface Seen {
  payload: UsageEvent;
  traceId: string | undefined;
  attempt: number;
}

const seen: Seen[] = [];
let failuresToInject = 0;

/** A provider of a module that is not global: the worker module reaches it only through `imports`. */
@Injectable()
class FinalFailures {
  readonly seen: { eventId: string; attemptsMade: number; error: Error }[] = [];
}

@Module({ providers: [FinalFailures], exports: [FinalFailures] })
class FinalFailuresModule {}

@Injectable()
@HandlesJob(JobName.UsageRecord)
class RecordingHandler implements JobHandler<typeof JobName.UsageRecord> {
  constructor(private readonly finals: FinalFailures) {}

  async handle(payload: UsageEvent, job: { attemptsMade: number }) {
    seen.push({ payload, traceId: trace.getActiveSpan()?.spanContext().traceId, attempt: job.attemptsMade });
    if (payload.model === 'unrecoverable') throw new UnrecoverableError('never works');
    if (failuresToInject > 0) {
      failuresToInject -= 1;
      throw new Error('transient failure');
    }
    return { ok: true };
  }

  async onFinalFailure(payload: UsageEvent, job: Job, error: Error): Promise<void> {
    this.finals.seen.push({ eventId: payload.event_id, attemptsMade: job.attemptsMade, error });
  }
}

/** The usage queue's other job: consuming a queue takes a handler for each of its jobs. */
@Injectable()
@HandlesJob(JobName.UsageRecordBatch)
class BatchHandler implements JobHandler<typeof JobName.UsageRecordBatch> {
  async handle(payload: UsageBatch) {
    return { events: payload.events.length };
  }
}

function event(overrides: Partial<UsageEventInput> = {}): UsageEventInput {
  return {
    event_id: `evt_${randomUUID()}`,
    tenant_id: randomUUID(),
    user_id: randomUUID(),
    api_key_id: null,
    request_id: 'req-1',
    provider: 'anthropic',
    model: 'claude-test',
    input_tokens: 12,
    output_tokens: 34,
    latency_ms: 50,
    feature: 'chat',
    occurred_at: new Date().toISOString(),
    ...overrides,
  };
}

describe('queue: producer in one service, worker in another, over real Redis', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const exporter = new InMemorySpanExporter();
  let producerApp: INestApplicationContext;
  let workerApp: INestApplicationContext;

  beforeAll(async () => {
    startTelemetry({ serviceName: 'queue-test', exporter });
    @Module({ imports: [QueueModule.forRoot({ redisUrl, prefix })] })
    class ProducerService {}
    @Module({
      imports: [
        QueueModule.forRoot({ redisUrl, prefix }),
        QueueModule.forWorker([RecordingHandler, BatchHandler], { depthIntervalMs: 0, imports: [FinalFailuresModule] }),
      ],
    })
    class WorkerService {}
    producerApp = await NestFactory.createApplicationContext(ProducerService, { logger: false });
    workerApp = await NestFactory.createApplicationContext(WorkerService, { logger: false });
    await workerApp.init();
  });

  afterAll(async () => {
    await producerApp?.close();
    await workerApp?.close();
    await shutdownTelemetry();
  });

  beforeEach(() => {
    seen.length = 0;
    failuresToInject = 0;
  });

  const finalsOf = (eventId: string) => workerApp.get(FinalFailures).seen.filter((f) => f.eventId === eventId);

  it('delivers a job whose consumer span continues the producer trace', async () => {
    const producer = producerApp.get(JobProducer);
    const tracer = trace.getTracer('test');
    const payload = event();
    const span = tracer.startSpan('http request');
    await context.with(trace.setSpan(context.active(), span), () => producer.enqueue(JobName.UsageRecord, payload));
    span.end();
    const delivered = await waitFor(() => seen.find((s) => s.payload.event_id === payload.event_id), { what: 'the job to be handled' });
    expect(delivered.payload.cached_tokens).toBe(0);
    expect(delivered.traceId).toBe(span.spanContext().traceId);
  });

  it('refuses an invalid payload before it reaches Redis', async () => {
    const producer = producerApp.get(JobProducer);
    await expect(producer.enqueue(JobName.UsageRecord, event({ input_tokens: -1 }))).rejects.toThrow(/input_tokens/);
  });

  it('fails a malformed job without retrying it', async () => {
    const producer = producerApp.get(JobProducer);
    const queue = producer.queue('usage');
    const job = await queue.add(JobName.UsageRecord, { event_id: 'short' }, { attempts: 5 });
    await waitFor(() => job.getState(), { what: 'the malformed job to fail', until: (state) => state === 'failed' });
    const reloaded = await queue.getJob(job.id ?? '');
    expect(reloaded?.attemptsMade).toBe(1);
    expect(reloaded?.failedReason).toMatch(/invalid payload/);
    expect(seen).toHaveLength(0);
  });

  it('retries a transient failure and records the outcomes in metrics', async () => {
    failuresToInject = 1;
    const producer = producerApp.get(JobProducer);
    const payload = event();
    await producer.enqueue(JobName.UsageRecord, payload, { backoff: { type: 'fixed', delay: 10 } });
    await waitFor(() => seen.filter((s) => s.payload.event_id === payload.event_id).length, { what: 'a failed try and a retry', until: (n) => n === 2 });
    expect(seen.map((s) => s.attempt)).toEqual([0, 1]);
    const metrics = await metricsRegistry.getSingleMetricAsString('conduit_queue_jobs_total');
    expect(metrics).toMatch(/outcome="retried"} [1-9]/);
    expect(metrics).toMatch(/outcome="completed"} [1-9]/);
  });

  it('ignores a second enqueue with the same job id', async () => {
    const producer = producerApp.get(JobProducer);
    const payload = event();
    await producer.enqueue(JobName.UsageRecord, payload, { jobId: payload.event_id });
    await producer.enqueue(JobName.UsageRecord, payload, { jobId: payload.event_id });
    await waitFor(() => seen.find((s) => s.payload.event_id === payload.event_id), { what: 'the job to be handled' });
    const queue = producer.queue('usage');
    await waitFor(() => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), {
      what: 'the queue to drain',
      until: (counts) => Object.values(counts).every((n) => n === 0),
    });
    expect(seen.filter((s) => s.payload.event_id === payload.event_id)).toHaveLength(1);
  });
  it('calls onFinalFailure once, after the last attempt, and not after the attempts that are retried', async () => {
    failuresToInject = 5;
    const producer = producerApp.get(JobProducer);
    const payload = event();
    await producer.enqueue(JobName.UsageRecord, payload, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    const [final] = await waitFor(() => finalsOf(payload.event_id), { what: 'onFinalFailure to be called', until: (finals) => finals.length > 0 });
    expect(seen.filter((s) => s.payload.event_id === payload.event_id).map((s) => s.attempt)).toEqual([0, 1, 2]);
    // Called while the last attempt ran, before BullMQ counted it.
    expect(final).toMatchObject({ attemptsMade: 2, error: { message: 'transient failure' } });
    // Once the queue holds nothing more of it, no later attempt could call the hook again.
    const queue = producer.queue('usage');
    await waitFor(() => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), {
      what: 'the queue to drain',
      until: (counts) => Object.values(counts).every((n) => n === 0),
    });
    expect(finalsOf(payload.event_id)).toHaveLength(1);
  });

  it('treats an UnrecoverableError as final on the first attempt', async () => {
    const producer = producerApp.get(JobProducer);
    const payload = event({ model: 'unrecoverable' });
    await producer.enqueue(JobName.UsageRecord, payload, { attempts: 5 });
    const [final] = await waitFor(() => finalsOf(payload.event_id), { what: 'onFinalFailure to be called', until: (finals) => finals.length > 0 });
    expect(final.attemptsMade).toBe(0);
    expect(final.error).toBeInstanceOf(UnrecoverableError);
    expect(seen.filter((s) => s.payload.event_id === payload.event_id)).toHaveLength(1);
  });

  it('tells the handler of a job BullMQ failed without running it (it stalled more often than allowed)', async () => {
    const producer = producerApp.get(JobProducer);
    const queue = producer.queue('usage');
    const payload = event();
    const job = await queue.add(JobName.UsageRecord, payload, { delay: 60_000, attempts: 5 });
    // What BullMQ's stalled check writes when a job stalled too often: the next worker fails it.
    await producerApp.get<Redis>(REDIS_CONNECTION).hset(`${prefix}:usage:${job.id}`, 'defa', 'job stalled more than allowable limit');
    await job.promote();
    const [final] = await waitFor(() => finalsOf(payload.event_id), { what: 'onFinalFailure to be called', until: (finals) => finals.length > 0 });
    expect(final.error.message).toBe('job stalled more than allowable limit');
    expect(seen.filter((s) => s.payload.event_id === payload.event_id)).toHaveLength(0);
    expect(await job.getState()).toBe('failed');
  });
});
