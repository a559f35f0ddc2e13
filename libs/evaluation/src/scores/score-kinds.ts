import type { EvalReason } from '@conduit/contracts';

/** What produced a score: an LLM judge, a heuristic scorer, or the user's thumbs. */
export type ScoreKind = 'llm' | 'heuristic' | 'feedback';

/**
 * `ok`: `score` holds the value. `unparseable`: the judge answered but not in the required shape.
 * `failed`: the judge could not be reached after the job's retries. `skipped_budget`: the tenant's
 * eval budget for the day was spent.
 */
export const SCORE_STATUSES = ['ok', 'unparseable', 'failed', 'skipped_budget'] as const;
export type ScoreStatus = (typeof SCORE_STATUSES)[number];

/** The user's thumbs as a score: 1 up, 0 down. */
export const USER_FEEDBACK_RUBRIC = 'user_feedback';

/** Heuristic rubrics: pass (1) or fail (0), except latency (ms) and cost (USD). */
export const HeuristicRubric = {
  NonEmpty: 'heuristic.non_empty',
  NoRefusal: 'heuristic.no_refusal',
  CitationPresent: 'heuristic.citation_present',
  JsonValid: 'heuristic.json_valid',
  LatencyMs: 'heuristic.latency_ms',
  CostUsd: 'heuristic.cost_usd',
} as const;

/** Rubrics measured in their own unit, where lower is better: never a quality regression. */
const NOT_QUALITY = new Set<string>([HeuristicRubric.LatencyMs, HeuristicRubric.CostUsd]);

/**
 * The range a rubric's scores lie in (higher is better), or null for a measurement that is not a
 * quality score (latency, cost). LLM rubrics grade 1–5; heuristics and feedback pass (1) or fail (0).
 */
export function rubricScale(rubric: string): { min: number; max: number } | null {
  if (NOT_QUALITY.has(rubric)) return null;
  if (rubric === USER_FEEDBACK_RUBRIC || rubric.startsWith('heuristic.')) return { min: 0, max: 1 };
  return { min: 1, max: 5 };
}

/** One score of one message, as the eval worker records it. */
export interface ScoreRecord {
  tenantId: string;
  userId: string;
  messageId: string;
  rubric: string;
  rubricVersion: number;
  kind: ScoreKind;
  judgeModel: string | null;
  /** The judged answer's model. */
  model: string;
  templateVersion: string | null;
  score: number | null;
  explanation: string | null;
  status: ScoreStatus;
  reason: EvalReason;
  costUsd: number;
  latencyMs: number | null;
  turnAt: Date;
}
