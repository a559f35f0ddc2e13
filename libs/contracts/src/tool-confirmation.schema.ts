import { z } from 'zod';

/**
 * `POST /v1/tool-confirmations/{id}` (issue 22): the decision on a paused tool run's dangerous
 * calls. `arguments` (only where the tenant's `tools.allow_argument_edit` is on) replaces the
 * arguments of pending calls, keyed by call id. `stream: true` answers the resumed run as SSE.
 */
export const toolConfirmationDecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  arguments: z.record(z.string().min(1).max(128), z.record(z.string(), z.unknown())).optional(),
  stream: z.boolean().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).optional(),
});
export type ToolConfirmationDecision = z.output<typeof toolConfirmationDecisionSchema>;
