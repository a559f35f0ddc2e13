import { z } from 'zod';

/** Built-in rubrics of the LLM judges (issue 19). `faithfulness` only judges turns grounded in retrieved sources. */
export const BUILTIN_RUBRICS = ['helpfulness', 'faithfulness', 'safety'] as const;
export type BuiltinRubric = (typeof BUILTIN_RUBRICS)[number];

const RUBRIC_NAME = /^[a-z][a-z0-9_-]{0,47}$/;

/** A tenant's own rubric: what the judge is told to grade (1–5), and a version the scores record. */
export const customRubricSchema = z.strictObject({
  name: z.string().regex(RUBRIC_NAME, 'rubric names are lower-case letters, digits, _ and -, at most 48'),
  version: z.number().int().min(1).max(1_000_000).default(1),
  criteria: z.string().min(1).max(4_000),
  /** Judge only turns grounded in retrieved sources (like `faithfulness`). */
  rag_only: z.boolean().default(false),
});
export type CustomRubric = z.output<typeof customRubricSchema>;

/**
 * The `eval` section of a tenant's policy: live evaluation. `sample_rate` is the deterministic
 * share of turns judged (a hash of the message id below it); thumbs-down and guardrail-flagged
 * turns are always judged while `enabled`. `judge_model` is a model or route alias (null: the eval
 * worker's `EVAL_JUDGE_MODEL`). `rubrics` are built-in names or the tenant's own. Judge calls are
 * billed as the feature `eval` and stop for the UTC day once their cost reaches `daily_budget_usd`
 * (what is skipped is recorded as such).
 */
export const evalPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  sample_rate: z.number().min(0).max(1).default(0.05),
  judge_model: z.string().min(1).max(256).nullable().default(null),
  rubrics: z
    .array(z.union([z.enum(BUILTIN_RUBRICS), customRubricSchema]))
    .max(16)
    .default([...BUILTIN_RUBRICS])
    .refine((rubrics) => new Set(rubrics.map((r) => (typeof r === 'string' ? r : r.name))).size === rubrics.length, 'rubric names must be unique'),
  daily_budget_usd: z.number().min(0).max(1_000_000).default(1),
});
export type EvalPolicy = z.output<typeof evalPolicySchema>;

export const DEFAULT_EVAL_POLICY: EvalPolicy = Object.freeze(evalPolicySchema.parse({}));

/** Why a turn is evaluated. `feedback` only folds a thumbs-up into the scores (no judge call). */
export const EVAL_REASONS = ['sampled', 'thumbs_down', 'guardrail_flagged', 'feedback'] as const;
export type EvalReason = (typeof EVAL_REASONS)[number];

/**
 * Asks the eval worker to evaluate one stored assistant message. The message may not be stored yet
 * when the job first runs (turns are written behind the answer): the worker retries.
 */
export const evalTurnSchema = z.object({
  tenant_id: z.uuid(),
  message_id: z.uuid(),
  reason: z.enum(EVAL_REASONS),
});
export type EvalTurn = z.output<typeof evalTurnSchema>;
export type EvalTurnInput = z.input<typeof evalTurnSchema>;

/**
 * Deterministic job id: one judging run per message and reason (a thumbs-down on a sampled turn
 * is a second job, whose judges skip the rubrics already scored, so nothing is billed twice).
 * Feedback jobs carry the rating, so a changed rating is folded in again.
 */
export function evalTurnJobId(messageId: string, reason: EvalReason, rating?: 'up' | 'down'): string {
  return rating ? `eval-${messageId}-${reason}-${rating}` : `eval-${messageId}-${reason}`;
}
