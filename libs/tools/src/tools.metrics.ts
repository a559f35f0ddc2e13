import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/**
 * Tool calls by where the tool lives (`http`, `mcp`) and how the call ended (`ok`, `timeout`,
 * `refused`, `http_error`, `invalid_arguments`, `cancelled`, `unavailable`). Tool names are chosen
 * by tenants, so they stay out of the labels (they are on the `execute_tool` span instead).
 */
export const toolCallsTotal = new Counter({
  name: 'conduit_tool_calls_total',
  help: 'Platform-run tool calls by tool source (http, mcp) and outcome',
  labelNames: ['tool_source', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const toolCallDuration = new Histogram({
  name: 'conduit_tool_call_duration_seconds',
  help: 'Platform-run tool call latency, tool server included, by tool source and outcome',
  labelNames: ['tool_source', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});
