import { Counter } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/**
 * `conduit_tool_runs_total{finish}`: tool runs (requests naming `conduit.tools`) by how they ended:
 * `answered`, `client_tool_calls`, `tool_step_limit`, `tool_cost_limit`, `requires_confirmation`,
 * `cancelled`. A resumed run counts again when it ends. Per-call outcomes are the registry's
 * `conduit_tool_calls_total`.
 */
export const toolRuns = new Counter({
  name: 'conduit_tool_runs_total',
  help: 'Platform tool runs of the chat pipeline by how they ended',
  labelNames: ['finish'] as const,
  registers: [metricsRegistry],
});

/**
 * `conduit_tool_confirmations_total{decision}`: `requested` when a run pauses, then `approved`,
 * `denied` or `expired` when it is decided (a decision that found it already decided is not counted).
 */
export const toolConfirmations = new Counter({
  name: 'conduit_tool_confirmations_total',
  help: 'Confirmations of dangerous tool calls: requested, and decided by outcome',
  labelNames: ['decision'] as const,
  registers: [metricsRegistry],
});
