import { z } from 'zod';

/**
 * The `tools` section of a tenant's policy (issue 22): platform-run tools and their agent loop.
 *
 * - `max_steps`: model calls per run before it ends with finish reason `tool_step_limit`.
 * - `max_cost_usd`: the run's cost cap (model calls plus tool time), finish reason `tool_cost_limit`.
 * - `confirmation_ttl_seconds`: how long a paused run waits for approve/deny (expiry is a denial).
 * - `allow_argument_edit`: whether an approval may change the tool's arguments.
 * - `max_result_bytes`: a tool result longer than this is cut before the model sees it.
 */
export const toolsPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  max_steps: z.number().int().min(1).max(50).default(8),
  max_cost_usd: z.number().min(0).max(1_000).default(1),
  confirmation_ttl_seconds: z.number().int().min(10).max(7 * 24 * 3600).default(900),
  allow_argument_edit: z.boolean().default(false),
  max_result_bytes: z.number().int().min(256).max(1_000_000).default(16_384),
});
export type ToolsPolicy = z.output<typeof toolsPolicySchema>;

export const DEFAULT_TOOLS_POLICY: ToolsPolicy = Object.freeze(toolsPolicySchema.parse({}));
