import { z } from 'zod';

/**
 * The `memory` section of a tenant's policy (issue 21).
 *
 * - `mode`: `off` (default: the plain history window), `summaries` (a session's older part is
 *   summarised in the background once the history passes `summary_threshold_tokens`), or `full`
 *   (summaries, plus long-term memories extracted from turns and recalled in later sessions).
 * - `extraction_sample_rate`: the share of turns whose facts are extracted (`full` only).
 * - `recall_max_tokens` / `recall_min_score` / `recall_top_k`: how many of the user's memories
 *   may join the system context, and how relevant they must be.
 * - `summary_model` / `extraction_model`: the (cheap) models the background jobs use; null takes
 *   the deployment's default (`MEMORY_MODEL`).
 */
export const memoryPolicySchema = z.strictObject({
  mode: z.enum(['off', 'summaries', 'full']).default('off'),
  summary_threshold_tokens: z.number().int().min(200).max(1_000_000).default(3_000),
  extraction_sample_rate: z.number().min(0).max(1).default(1),
  recall_max_tokens: z.number().int().min(0).max(8_000).default(400),
  recall_min_score: z.number().min(0).max(1).default(0.3),
  recall_top_k: z.number().int().min(1).max(50).default(8),
  summary_model: z.string().min(1).max(256).nullable().default(null),
  extraction_model: z.string().min(1).max(256).nullable().default(null),
});
export type MemoryPolicy = z.output<typeof memoryPolicySchema>;

export const DEFAULT_MEMORY_POLICY: MemoryPolicy = Object.freeze(memoryPolicySchema.parse({}));

/** `memory.extract`: extract durable facts about the user from one stored turn (the assistant message id). */
export const memoryExtractSchema = z.object({
  tenant_id: z.uuid(),
  user_id: z.uuid(),
  /** The assistant message of the turn; the job id and the extraction's idempotency key. */
  message_id: z.uuid(),
  /** The turn's user text and answer, as stored (the worker does not wait for the write-behind row). */
  user_text: z.string().max(100_000),
  assistant_text: z.string().max(100_000),
  request_id: z.string().max(128).nullable().default(null),
});
export type MemoryExtract = z.output<typeof memoryExtractSchema>;
export type MemoryExtractInput = z.input<typeof memoryExtractSchema>;

/** Deterministic job id: one extraction per turn, however often it is enqueued. */
export function memoryExtractJobId(messageId: string): string {
  return `memory-${messageId}`;
}
