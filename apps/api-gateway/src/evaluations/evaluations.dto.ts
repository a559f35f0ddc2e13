import { z } from 'zod';
import type { EvalAlert, EvalScore } from '@conduit/db';
import { SCORE_STATUSES } from '@conduit/evaluation';
import { cursorParam, limitParam, unixSeconds } from '../sessions/list-page';
import { EvaluationsErrorCode } from './evaluations.exception';

/** Longest window an aggregates or compare query covers. */
export const MAX_RANGE_DAYS = 366;

const day = z.iso.date('must be a date, YYYY-MM-DD').superRefine((value, ctx) => {
  if (value < '1970-01-01' || value > '9999-12-30') ctx.addIssue({ code: 'custom', message: 'must be a date from 1970-01-01 to 9999-12-30', params: { code: EvaluationsErrorCode.InvalidRange } });
});
const name = z.string().min(1).max(256);

/** `GET /v1/evaluations/scores`: the tenant's scores, newest first. */
export const scoresQuerySchema = z.strictObject({
  rubric: name.optional(),
  model: name.optional(),
  message_id: z.uuid().optional(),
  user_id: z.uuid().optional(),
  status: z.enum(SCORE_STATUSES).optional(),
  limit: limitParam(50),
  after: cursorParam,
});
export type ScoresQuery = z.output<typeof scoresQuerySchema>;

/** `GET /v1/evaluations/aggregates`: daily aggregates, `from`/`to` inclusive UTC days (default: the last 7). */
export const aggregatesQuerySchema = z.strictObject({
  rubric: name.optional(),
  model: name.optional(),
  template_version: name.optional(),
  from: day.optional(),
  to: day.optional(),
  limit: limitParam(100, 1_000),
});
export type AggregatesQuery = z.output<typeof aggregatesQuerySchema>;

/** `GET /v1/evaluations/compare?a=..&b=..`: two models (default) or two template versions. */
export const compareQuerySchema = z.strictObject({
  dimension: z.enum(['model', 'template_version']).default('model'),
  a: name,
  b: name,
  rubric: name.optional(),
  from: day.optional(),
  to: day.optional(),
});
export type CompareQuery = z.output<typeof compareQuerySchema>;

export const alertsQuerySchema = z.strictObject({ limit: limitParam(50) });
export type AlertsQuery = z.output<typeof alertsQuerySchema>;

export interface ScoreObject {
  id: string;
  object: 'evaluation.score';
  message_id: string;
  user_id: string;
  rubric: string;
  rubric_version: number;
  kind: string;
  judge_model: string | null;
  model: string;
  template_version: string | null;
  score: number | null;
  explanation: string | null;
  status: string;
  reason: string;
  cost_usd: number;
  latency_ms: number | null;
  turn_at: number;
  created_at: number;
}

export function toScoreObject(row: EvalScore): ScoreObject {
  return {
    id: row.id,
    object: 'evaluation.score',
    message_id: row.messageId,
    user_id: row.userId,
    rubric: row.rubric,
    rubric_version: row.rubricVersion,
    kind: row.kind,
    judge_model: row.judgeModel,
    model: row.model,
    template_version: row.templateVersion,
    score: row.score,
    explanation: row.explanation,
    status: row.status,
    reason: row.reason,
    cost_usd: row.costUsd.toNumber(),
    latency_ms: row.latencyMs,
    turn_at: unixSeconds(row.turnAt),
    created_at: unixSeconds(row.createdAt),
  };
}

export interface MeanObject {
  mean: number | null;
  /** 95 % confidence interval of the mean (Student's t); null below two scores. */
  ci95: [number, number] | null;
  n: number;
}

export interface AlertObject {
  id: string;
  object: 'evaluation.alert';
  dimension: string;
  subject: string;
  rubric: string;
  baseline: { mean: number; n: number };
  recent: { mean: number; n: number };
  p_value: number;
  window_start: number;
  window_end: number;
  details: unknown;
  created_at: number;
}

export function toAlertObject(row: EvalAlert): AlertObject {
  return {
    id: row.id,
    object: 'evaluation.alert',
    dimension: row.dimension,
    subject: row.subject,
    rubric: row.rubric,
    baseline: { mean: row.baselineMean, n: row.baselineN },
    recent: { mean: row.recentMean, n: row.recentN },
    p_value: row.pValue,
    window_start: unixSeconds(row.windowStart),
    window_end: unixSeconds(row.windowEnd),
    details: row.details,
    created_at: unixSeconds(row.createdAt),
  };
}
