import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { applyGuardrail, guardrailMetrics } from './guardrail-telemetry';

describe('guardrail metrics and spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');

  it('counts decisions by stage and verdict and times each stage', async () => {
    const registry = new Registry();
    const metrics = guardrailMetrics(registry);
    expect(guardrailMetrics(registry)).toBe(metrics);
    await applyGuardrail('input_injection', () => ({ stage: 'input_injection', verdict: 'flag', score: 0.8 }), { metrics, tracer });
    await applyGuardrail('input_injection', () => ({ stage: 'input_injection', verdict: 'flag' }), { metrics, tracer });
    await expect(applyGuardrail('output_guard', () => Promise.reject(new Error('boom')), { metrics, tracer })).rejects.toThrow('boom');
    const text = await registry.metrics();
    expect(text).toContain('conduit_guardrail_decisions_total{stage="input_injection",verdict="flag"} 2');
    expect(text).toContain('conduit_guardrail_decisions_total{stage="output_guard",verdict="error"} 1');
    expect(text).toContain('conduit_guardrail_duration_seconds_count{stage="input_injection"} 2');
  });

  it('records an apply_guardrail span with the decision', async () => {
    exporter.reset();
    await applyGuardrail('input_pii', () => ({ stage: 'input_pii', verdict: 'redact', entities: { EMAIL: 2 } }), { tracer });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('apply_guardrail input_pii');
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'apply_guardrail',
      'conduit.guardrail.stage': 'input_pii',
      'conduit.guardrail.verdict': 'redact',
      'conduit.guardrail.entities': ['EMAIL'],
    });
  });
});
