export { EvaluationModule } from './evaluation.module';
export { EVAL_TURN_DELAY_MS, EvalTurnProducer } from './sampling/eval-turn.producer';
export { isGuardrailFlagged, isSampled, sampleShareOf } from './sampling/eval-sampling';
export type { GuardrailVerdict } from './sampling/eval-sampling';
export { EvalScoreStore } from './scores/eval-score.store';
export type { AggregateQuery, AggregateRow, EvalDimension, RubricTotals, ScoreQuery } from './scores/eval-score.store';
export { isoDay, utcDay } from './scores/eval-score.sql';
export { HeuristicRubric, rubricScale, SCORE_STATUSES, USER_FEEDBACK_RUBRIC } from './scores/score-kinds';
export type { ScoreKind, ScoreRecord, ScoreStatus } from './scores/score-kinds';
export { EvalAlertStore } from './alerts/eval-alert.store';
export type { NewEvalAlert } from './alerts/eval-alert.store';
export { confidenceInterval, summarize, summaryOf, tCdf, tQuantile, welchTest } from './statistics/welch';
export type { Summary, WelchResult } from './statistics/welch';
export {
  evalJudgeCostUsdTotal,
  evalJudgeDuration,
  evalRegressionsTotal,
  evalSampledTurnsTotal,
  evalScoresTotal,
  evalScoreValue,
} from './evaluation.metrics';
