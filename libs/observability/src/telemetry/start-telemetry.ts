import { context, propagation, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/** Keeps spans in-process only: context still propagates and logs still get trace ids. */
const localOnly: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * With nowhere to send spans, record none: spans still get ids (so W3C context propagates across
 * every hop and logs carry `trace_id`), but no attributes, events or timings are collected for a
 * span that would be dropped at its end. Measured on the chat path, recording spans that go
 * nowhere cost more CPU than any single stage of the pipeline.
 */
const propagateOnly: Sampler = {
  shouldSample: () => ({ decision: SamplingDecision.NOT_RECORD }),
  toString: () => 'PropagateOnlySampler',
};

const UNTRACED_PATHS = ['/health', '/metrics'];

/**
 * The libraries patched for tracing. HTTP (server and client) and undici always: they carry W3C
 * `traceparent` across every hop. Postgres and Redis only when spans are recorded (an exporter is
 * set): their spans carry no context anywhere, and without an exporter they would be dropped
 * anyway — yet the patched clients still built each query's attributes and a non-recording span
 * and wrapped its callback, a few per cent of a worker's CPU (billing, measured on bench:jobs).
 * Async context survives them either way (AsyncLocalStorage follows every `await`).
 */
export function instrumentationsFor(recording: boolean): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.some((path) => request.url?.startsWith(path)),
    }),
    new UndiciInstrumentation(),
    ...(recording ? [new IORedisInstrumentation({ requireParentSpan: true }), new PgInstrumentation({ requireParentSpan: true })] : []),
  ];
}

export interface TelemetryOptions {
  serviceName: string;
  /** Overrides the OTLP exporter (tests use an in-memory exporter). */
  exporter?: SpanExporter;
  env?: Record<string, string | undefined>;
}

/** True when an OTLP endpoint is configured through the standard OTEL_* variables. */
export function otlpConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Whether spans leave the process: an OTLP endpoint is set and neither `OTEL_SDK_DISABLED=true`
 * nor `OTEL_TRACES_EXPORTER=none` says otherwise. The endpoint is the one switch.
 */
export function exportEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return otlpConfigured(env) && env.OTEL_SDK_DISABLED !== 'true' && env.OTEL_TRACES_EXPORTER !== 'none';
}

/**
 * The sampling ratio of new traces (`OTEL_TRACES_SAMPLER_ARG`, default 1). A bad value stops
 * start-up with a message naming the variable rather than silently tracing everything.
 */
export function samplingRatio(env: Record<string, string | undefined> = process.env): number {
  const raw = env.OTEL_TRACES_SAMPLER_ARG;
  if (raw === undefined || raw.trim() === '') return 1;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of new traces recorded), got "${raw}"`);
  }
  return ratio;
}

/**
 * Parent-based ratio sampling: a request that arrives with a sampled `traceparent` is recorded
 * (so a trace is never split between services), one that arrives unsampled is not, and a new
 * trace is recorded with probability `ratio`.
 */
export function parentBasedRatioSampler(ratio: number): Sampler {
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
}

/**
 * The NodeSDK turns itself off entirely (no context manager, no propagator) when
 * `OTEL_SDK_DISABLED=true`; Conduit reads that variable as "export nothing" only, because W3C
 * propagation and trace ids in logs must survive a default install. The variable is hidden from
 * the SDK's constructor, the only place it reads it.
 */
function withoutSdkDisabled<T>(build: () => T): T {
  const saved = process.env.OTEL_SDK_DISABLED;
  if (saved === undefined) return build();
  delete process.env.OTEL_SDK_DISABLED;
  try {
    return build();
  } finally {
    process.env.OTEL_SDK_DISABLED = saved;
  }
}

/**
 * Starts the OpenTelemetry NodeSDK. Must run before Nest, Fastify, pg, ioredis or undici are
 * loaded, which is why every app imports its `instrumentation.ts` first.
 *
 * Tracing is always on in-process, whatever the environment: W3C context propagates across every
 * hop and logs carry trace ids. Spans are recorded and leave the process only when
 * {@link exportEnabled} (an OTLP endpoint is set), sampled parent-based with the ratio
 * {@link samplingRatio}. `OTEL_TRACES_SAMPLER` still picks another standard sampler.
 */
export function startTelemetry(options: TelemetryOptions): NodeSDK | undefined {
  const env = options.env ?? process.env;
  if (sdk) return sdk;
  const exporter = options.exporter ?? (exportEnabled(env) ? new OTLPTraceExporter() : undefined);
  const sampler = exporter ? (env.OTEL_TRACES_SAMPLER ? undefined : parentBasedRatioSampler(samplingRatio(env))) : propagateOnly;
  sdk = withoutSdkDisabled(
    () =>
      new NodeSDK({
        resource: resourceFromAttributes({
          [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.serviceName,
          [ATTR_SERVICE_VERSION]: env.npm_package_version ?? '0.1.0',
        }),
        traceExporter: exporter,
        spanProcessors: exporter ? undefined : [localOnly],
        ...(sampler ? { sampler } : {}),
        // Metrics are Prometheus' (prom-client, `/metrics`) and logs are pino's. Left unset, the SDK
        // would default both to OTLP: instruments recording on every request and an export to
        // localhost:4318 every minute. Opt in with OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER.
        ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
        ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
        instrumentations: instrumentationsFor(exporter !== undefined),
      }),
  );
  sdk.start();
  return sdk;
}

/**
 * Flushes and stops the SDK, and unregisters its global tracer provider, context manager and
 * propagator (the SDK's shutdown leaves them), so the process no longer starts spans or sends
 * `traceparent` from a stopped provider: a test that started telemetry leaves no trace context on
 * the requests of the tests that run after it in the same worker. Safe to call when it never started.
 */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
  if (running) {
    trace.disable();
    context.disable();
    propagation.disable();
  }
}
