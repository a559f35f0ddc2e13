import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { JobName, UsageEvent, UsageEventInput } from '@conduit/contracts';
import { metricsRegistry, shutdownTelemetry, startTelemetry } from '@conduit/observability';
import { waitFor } from '@conduit/testing';
import { HandlesJob, JobHandler, JobProducer, QueueModule } from './index';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

interface Seen {
  payload: UsageEvent;
  traceId: string | undefined;
  attempt: number;
}

const seen: Seen[] = [];
let failuresToInject = 0;

@Injectable()
@HandlesJob(JobName.UsageRecord)
class RecordingHandler implements JobHandler<typeof JobName.UsageRecord> {
  async handle(payload: UsageEvent, job: { attemptsMade: number }) {
    seen.push({ payload, traceId: trace.getActiveSpan()?.spanContext().traceId, attempt: job.attemptsMade });
    if (failuresToInject > 0) {
      failuresToInject -= 1;
      throw new Error('transient failure');
    }
    return { ok: true };
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
        QueueModule.forWorker([RecordingHandler], { depthIntervalMs: 0 }),
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
});
