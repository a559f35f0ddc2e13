import { SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { Counter, Histogram, type Registry } from 'prom-client';

/** What a guardrail stage decided, as kept in message metadata (`guardrails: [...]`): never the values themselves. */
export interface GuardrailDecision {
  /** e.g. `input_injection`, `indirect_injection`, `input_pii`, `output_guard`. */
  stage: string;
  /** `pass`, `flag`, `block`, `redact`, `mask`, `drop`, `content_filter`, `error`. */
  verdict: string;
  score?: number;
  /** Entity types (or rule ids) involved, with counts. */
  entities?: Record<string, number>;
}

export interface GuardrailMetrics {
  decision(stage: string, verdict: string, seconds: number): void;
}

const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const byRegistry = new WeakMap<Registry, GuardrailMetrics>();

/**
 * `conduit_guardrail_decisions_total{stage,verdict}` and `conduit_guardrail_duration_seconds{stage}`
 * on the given registry (the service's `metricsRegistry`), created once per registry. The registry
 * is passed in so this lib does not depend on libs/observability (which will use its log scrubber).
 */
export function guardrailMetrics(registry: Registry): GuardrailMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const decisions = new Counter({
    name: 'conduit_guardrail_decisions_total',
    help: 'Guardrail decisions by stage and verdict',
    labelNames: ['stage', 'verdict'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'conduit_guardrail_duration_seconds',
    help: 'Time spent in a guardrail stage',
    labelNames: ['stage'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const metrics: GuardrailMetrics = {
    decision(stage, verdict, seconds) {
      decisions.inc({ stage, verdict });
      duration.observe({ stage }, seconds);
    },
  };
  byRegistry.set(registry, metrics);
  return metrics;
}

export const GUARDRAILS_TRACER_NAME = '@conduit/guardrails';

/**
 * Runs one guardrail stage inside an `apply_guardrail` span (the GenAI operation name) and records
 * its decision on the span and in the metrics. A throw is recorded as verdict `error` and rethrown.
 */
export async function applyGuardrail(
  stage: string,
  run: () => Promise<GuardrailDecision> | GuardrailDecision,
  options: { metrics?: GuardrailMetrics; tracer?: Tracer } = {},
): Promise<GuardrailDecision> {
  const tracer = options.tracer ?? trace.getTracer(GUARDRAILS_TRACER_NAME);
  return tracer.startActiveSpan(`apply_guardrail ${stage}`, { attributes: { 'gen_ai.operation.name': 'apply_guardrail', 'conduit.guardrail.stage': stage } }, async (span) => {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const decision = await run();
      span.setAttribute('conduit.guardrail.verdict', decision.verdict);
      if (decision.score !== undefined) span.setAttribute('conduit.guardrail.score', decision.score);
      if (decision.entities) span.setAttribute('conduit.guardrail.entities', Object.keys(decision.entities).sort());
      options.metrics?.decision(stage, decision.verdict, seconds());
      return decision;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('conduit.guardrail.verdict', 'error');
      options.metrics?.decision(stage, 'error', seconds());
      throw error;
    } finally {
      span.end();
    }
  });
}
