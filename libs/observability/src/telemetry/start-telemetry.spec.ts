import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { exportEnabled, instrumentationsFor, parentBasedRatioSampler, samplingRatio, shutdownTelemetry, startTelemetry } from './start-telemetry';
import { currentTraceId, injectTraceCarrier } from './trace-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

function decisionUnder(parentFlags: TraceFlags | undefined, ratio: number): SamplingDecision {
  const parent =
    parentFlags === undefined
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: parentFlags, isRemote: true });
  return parentBasedRatioSampler(ratio).shouldSample(parent, TRACE_ID, 'GET /', SpanKind.SERVER, {}, []).decision;
}

describe('telemetry switches', () => {
  it('exports only when an OTLP endpoint is set, and not when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says no', () => {
    expect(exportEnabled({})).toBe(false);
    expect(exportEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(exportEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(exportEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(exportEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  it('reads the sampling ratio from OTEL_TRACES_SAMPLER_ARG (default 1) and refuses values outside 0..1', () => {
    expect(samplingRatio({})).toBe(1);
    expect(samplingRatio({ OTEL_TRACES_SAMPLER_ARG: '0.25' })).toBe(0.25);
    expect(() => samplingRatio({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => samplingRatio({ OTEL_TRACES_SAMPLER_ARG: 'lots' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('patches HTTP and undici always (they carry traceparent), Postgres and Redis only when spans are recorded', () => {
    const names = (recording: boolean) => instrumentationsFor(recording).map((instrumentation) => instrumentation.instrumentationName);
    expect(names(false)).toEqual(['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-undici']);
    expect(names(true)).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-undici',
      '@opentelemetry/instrumentation-ioredis',
      '@opentelemetry/instrumentation-pg',
    ]);
  });

  it('samples parent-based: a sampled parent is followed even at ratio 0, an unsampled one even at ratio 1', () => {
    expect(decisionUnder(TraceFlags.SAMPLED, 0)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decisionUnder(TraceFlags.NONE, 1)).toBe(SamplingDecision.NOT_RECORD);
    expect(decisionUnder(undefined, 1)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decisionUnder(undefined, 0)).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('startTelemetry with OTEL_SDK_DISABLED=true', () => {
  const saved = process.env.OTEL_SDK_DISABLED;
  beforeAll(() => {
    process.env.OTEL_SDK_DISABLED = 'true';
    startTelemetry({ serviceName: 'telemetry-spec', env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  });
  afterAll(async () => {
    await shutdownTelemetry();
    if (saved === undefined) delete process.env.OTEL_SDK_DISABLED;
    else process.env.OTEL_SDK_DISABLED = saved;
  });

  it('still gives spans trace ids and propagates W3C traceparent, with nothing recorded', () => {
    expect(process.env.OTEL_SDK_DISABLED).toBe('true');
    trace.getTracer('spec').startActiveSpan('work', (span) => {
      expect(span.isRecording()).toBe(false);
      expect(currentTraceId()).toMatch(/^[0-9a-f]{32}$/);
      expect(injectTraceCarrier().traceparent).toMatch(new RegExp(`^00-${currentTraceId()}-[0-9a-f]{16}-00$`));
      span.end();
    });
  });

  it('continues an incoming trace: the child keeps the caller trace id', () => {
    const parent = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    context.with(parent, () => {
      trace.getTracer('spec').startActiveSpan('child', (span) => {
        expect(currentTraceId()).toBe(TRACE_ID);
        span.end();
      });
    });
  });
});
