import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/** Turns handed to the eval queue, by why (the orchestrator after a stored turn, the gateway on feedback). */
export const evalSampledTurnsTotal = new Counter({
  name: 'conduit_eval_sampled_turns_total',
  help: 'Turns enqueued for evaluation, by reason (sampled, thumbs_down, guardrail_flagged, feedback)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

/** One LLM judge call (retries inside libs/llm included), by rubric and outcome. */
export const evalJudgeDuration = new Histogram({
  name: 'conduit_eval_judge_duration_seconds',
  help: 'LLM judge call latency by rubric, judge model and outcome (ok, unparseable, failed)',
  labelNames: ['rubric', 'judge_model', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const evalJudgeCostUsdTotal = new Counter({
  name: 'conduit_eval_judge_cost_usd_total',
  help: 'What LLM judge calls cost (USD, billing price list), by judge model',
  labelNames: ['judge_model'] as const,
  registers: [metricsRegistry],
});

/** Score values with status ok, per rubric (judges 1–5, pass/fail 0–1; latency and cost are not observed here). */
export const evalScoreValue = new Histogram({
  name: 'conduit_eval_score',
  help: 'Recorded evaluation scores by rubric (LLM rubrics 1-5, heuristics and user feedback 0 or 1)',
  labelNames: ['rubric'] as const,
  buckets: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5],
  registers: [metricsRegistry],
});

export const evalScoresTotal = new Counter({
  name: 'conduit_eval_scores_total',
  help: 'Scores recorded by rubric kind and status (ok, unparseable, failed, skipped_budget)',
  labelNames: ['kind', 'status'] as const,
  registers: [metricsRegistry],
});

export const evalRegressionsTotal = new Counter({
  name: 'conduit_eval_regressions_total',
  help: 'Quality regression alerts raised, by dimension (model, template_version) and rubric',
  labelNames: ['dimension', 'rubric'] as const,
  registers: [metricsRegistry],
});
