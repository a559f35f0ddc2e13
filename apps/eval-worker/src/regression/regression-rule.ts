import { rubricScale, Summary, welchTest, WelchResult } from '@conduit/evaluation';

export interface RegressionRule {
  /** Scores each window needs. */
  minN: number;
  /** One-sided significance level of Welch's t-test. */
  alpha: number;
  /** Smallest drop that counts, as a share of the rubric's scale (0.1: 0.4 points on 1–5, 10 points of pass rate). */
  minDropShare: number;
}

export const DEFAULT_MIN_DROP_SHARE = 0.1;

export type RegressionVerdict = { regressed: true; test: WelchResult; minDrop: number } | { regressed: false; why: string };

/**
 * Whether the recent window of a rubric scores significantly lower than the baseline window:
 * Welch's unequal-variance t-test, one-sided (recent < baseline), p below `alpha`, with at least
 * `minN` scores in each window and a drop of at least `minDropShare` of the rubric's scale (so a
 * tiny but "significant" wobble on a huge sample does not page anyone). Latency and cost are not
 * quality scales and never regress here.
 */
export function judgeRegression(rubric: string, baseline: Summary, recent: Summary, rule: RegressionRule): RegressionVerdict {
  const scale = rubricScale(rubric);
  if (!scale) return { regressed: false, why: 'not a quality rubric' };
  if (baseline.n < rule.minN || recent.n < rule.minN) return { regressed: false, why: `fewer than ${rule.minN} scores in a window` };
  const test = welchTest(baseline, recent);
  if (!test) return { regressed: false, why: 'not enough scores' };
  const minDrop = rule.minDropShare * (scale.max - scale.min);
  if (-test.difference < minDrop) return { regressed: false, why: `drop below ${minDrop}` };
  if (test.pLower >= rule.alpha) return { regressed: false, why: `p = ${test.pLower} is not below ${rule.alpha}` };
  return { regressed: true, test, minDrop };
}
