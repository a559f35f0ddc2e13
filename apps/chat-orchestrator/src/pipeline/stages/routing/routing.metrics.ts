import { Counter } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';
import type { RouteDecision } from '@conduit/llm';

/**
 * `conduit_routing_decisions_total{mode,tier,outcome}`: one per recorded decision. `outcome` is
 * `rerouted` (sent somewhere other than the requested alias), `kept` (the alias: the policy chose it,
 * or the chosen route was unknown, unpriced or above the reservation) or `shadow` (recorded only).
 * Read shadow mode with it: `outcome="shadow"` by `tier` is what routing would have done.
 */
export const routingDecisions = new Counter({
  name: 'conduit_routing_decisions_total',
  help: 'Routing decisions of the chat pipeline, by mode, tier and outcome (rerouted, kept, shadow)',
  labelNames: ['mode', 'tier', 'outcome'] as const,
  registers: [metricsRegistry],
});

export function countDecision(decision: RouteDecision): void {
  const outcome = decision.shadow ? 'shadow' : decision.applied === decision.requested ? 'kept' : 'rerouted';
  routingDecisions.inc({ mode: decision.mode, tier: decision.tier ?? 'none', outcome });
}
