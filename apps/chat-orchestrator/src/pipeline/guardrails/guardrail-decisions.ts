import { Inject, Injectable } from '@nestjs/common';
import { applyGuardrail, GuardrailDecision, guardrailMetrics, GuardrailMetrics } from '@conduit/guardrails';
import { ConduitHeader } from '@conduit/contracts';
import { metricsRegistry } from '@conduit/observability';
import type { Turn } from '../turn';

export const GUARDRAIL_METRICS_TOKEN = Symbol('GUARDRAIL_METRICS_TOKEN');

export const guardrailMetricsProvider = { provide: GUARDRAIL_METRICS_TOKEN, useFactory: () => guardrailMetrics(metricsRegistry) };

/**
 * Records a guardrail decision in its three places: an `apply_guardrail` span and the metrics
 * (`conduit_guardrail_decisions_total{stage,verdict}`, `conduit_guardrail_duration_seconds{stage}`)
 * for every decision, and the message metadata (`guardrails: [...]`) and the
 * `x-conduit-guardrails` response header for every decision other than `pass`.
 */
@Injectable()
export class GuardrailDecisions {
  constructor(@Inject(GUARDRAIL_METRICS_TOKEN) private readonly metrics: GuardrailMetrics) {}

  async apply(turn: Turn, stage: string, run: () => Promise<GuardrailDecision> | GuardrailDecision): Promise<GuardrailDecision> {
    const decision = await applyGuardrail(stage, run, { metrics: this.metrics });
    this.keep(turn, decision);
    return decision;
  }

  /** Keeps a decision with the turn (metadata, header) without a span (e.g. one already recorded). */
  keep(turn: Turn, decision: GuardrailDecision): void {
    if (decision.verdict === 'pass') return;
    turn.decisions.push(decision);
    const entry = `${decision.stage}=${decision.verdict}`;
    const current = turn.headers[ConduitHeader.Guardrails];
    turn.headers[ConduitHeader.Guardrails] = current ? `${current}, ${entry}` : entry;
  }
}

/** Counts per entity type (or rule): `{ EMAIL: 2, PHONE: 1 }`. */
export function countsOf(kinds: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
