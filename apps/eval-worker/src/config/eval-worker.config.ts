import { z } from 'zod';
import { budgetEnv, budgetSettings } from '@conduit/budget';
import { coreSettings, requireSecretsKekInProduction, secretsEnv, serviceEnv } from '@conduit/config';
import { policiesEnv, policiesSettings } from '@conduit/policies';

const int = (min: number, max: number, fallback: number) => z.coerce.number().pipe(z.int().min(min).max(max)).default(fallback);

export const evalWorkerConfigSchema = z
  .object({
    ...serviceEnv(8083),
    // Judge calls are priced with the billing price list (PRICE_REFRESH_MS) and billed as `eval`.
    ...budgetEnv,
    // Tenant policies (`eval`: sample rate, judge model, rubrics, eval budget).
    ...policiesEnv,
    /** The judge model or route alias when a tenant's policy names none. */
    EVAL_JUDGE_MODEL: z.string().min(1).max(256).default('default'),
    /** Per-attempt timeout of a judge call. */
    EVAL_JUDGE_TIMEOUT_MS: int(100, 600_000, 30_000),
    /** `eval.turn` jobs judged at once. */
    EVAL_CONCURRENCY: int(1, 256, 4),
    /** How often the regression check runs (one replica at a time); 0 disables. */
    EVAL_REGRESSION_INTERVAL_MS: int(0, 86_400_000, 300_000),
    /** Days in the recent window (ending today, UTC) and in the baseline window just before it. */
    EVAL_REGRESSION_RECENT_DAYS: int(1, 90, 1),
    EVAL_REGRESSION_BASELINE_DAYS: int(1, 365, 7),
    /** Scores each window needs before a regression can be raised. */
    EVAL_REGRESSION_MIN_N: int(2, 1_000_000, 30),
    /** One-sided significance level of Welch's t-test. */
    EVAL_REGRESSION_ALPHA: z.coerce.number().min(1e-9).max(0.2).default(0.001),
    /** Readiness fails when the oldest waiting `eval.turn` job is older than this (the consumer is not keeping up or not running). */
    EVAL_READY_MAX_AGE_S: int(10, 86_400, 900),
    // Opens the webhook endpoints' sealed secrets (the gateway's keyring) for `eval.regression`.
    ...secretsEnv,
  })
  .superRefine(requireSecretsKekInProduction)
  .transform((env) => {
    const core = coreSettings(env);
    return {
      ...core,
      budget: budgetSettings(env, core, true),
      policies: policiesSettings(env),
      evaluation: {
        judgeModel: env.EVAL_JUDGE_MODEL,
        judgeTimeoutMs: env.EVAL_JUDGE_TIMEOUT_MS,
        concurrency: env.EVAL_CONCURRENCY,
        readyMaxAgeS: env.EVAL_READY_MAX_AGE_S,
      },
      regression: {
        intervalMs: env.EVAL_REGRESSION_INTERVAL_MS,
        recentDays: env.EVAL_REGRESSION_RECENT_DAYS,
        baselineDays: env.EVAL_REGRESSION_BASELINE_DAYS,
        minN: env.EVAL_REGRESSION_MIN_N,
        alpha: env.EVAL_REGRESSION_ALPHA,
      },
      secrets: { SECRETS_KEK: env.SECRETS_KEK },
    };
  });

export type EvalWorkerConfig = z.output<typeof evalWorkerConfigSchema>;
export type EvaluationSettings = EvalWorkerConfig['evaluation'];
export type RegressionSettings = EvalWorkerConfig['regression'];
