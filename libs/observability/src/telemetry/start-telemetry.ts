import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { SamplingDecision, type Sampler, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

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
 * Starts the OpenTelemetry NodeSDK. Must run before Nest, Fastify, pg, ioredis or undici are
 * loaded, which is why every app imports its `instrumentation.ts` first.
 *
 * Tracing is always on in-process (so W3C context propagates and logs carry trace ids); spans are
 * recorded and leave the process only when an OTLP endpoint is configured (sampled by the standard
 * `OTEL_TRACES_SAMPLER` variables). `OTEL_SDK_DISABLED=true` turns it
 * off entirely.
 */
export function startTelemetry(options: TelemetryOptions): NodeSDK | undefined {
  const env = options.env ?? process.env;
  if (sdk || env.OTEL_SDK_DISABLED === 'true') return sdk;
  const exporter = options.exporter ?? (otlpConfigured(env) ? new OTLPTraceExporter() : undefined);
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.serviceName,
      [ATTR_SERVICE_VERSION]: env.npm_package_version ?? '0.1.0',
    }),
    traceExporter: exporter,
    spanProcessors: exporter ? undefined : [localOnly],
    // With an exporter: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as usual (default: record all).
    ...(exporter || env.OTEL_TRACES_SAMPLER ? {} : { sampler: propagateOnly }),
    // Metrics are Prometheus' (prom-client, `/metrics`) and logs are pino's. Left unset, the SDK
    // would default both to OTLP: instruments recording on every request and an export to
    // localhost:4318 every minute. Opt in with OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER.
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.some((path) => request.url?.startsWith(path)),
      }),
      new UndiciInstrumentation(),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return sdk;
}

/** Flushes and stops the SDK; safe to call when it never started. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
