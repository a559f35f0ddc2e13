import { summarize } from '@conduit/evaluation';
import { judgeRegression, RegressionRule } from './regression-rule';

const rule: RegressionRule = { minN: 30, alpha: 0.001, minDropShare: 0.1 };

/** A small deterministic generator (mulberry32), so the noise is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Judge scores 1–5 around `centre` (±1 with noise). */
function judgeScores(next: () => number, n: number, centre: number): number[] {
  return Array.from({ length: n }, () => Math.min(5, Math.max(1, centre + Math.round(next() * 2 - 1))));
}

describe('judgeRegression', () => {
  it('flags a clear, significant drop', () => {
    const next = random(1);
    const verdict = judgeRegression('helpfulness', summarize(judgeScores(next, 200, 4)), summarize(judgeScores(next, 60, 2)), rule);
    expect(verdict.regressed).toBe(true);
  });

  it('needs the minimum n in both windows', () => {
    const next = random(2);
    expect(judgeRegression('helpfulness', summarize(judgeScores(next, 200, 4)), summarize(judgeScores(next, 29, 1)), rule)).toEqual({ regressed: false, why: 'fewer than 30 scores in a window' });
  });

  it('ignores a drop smaller than a tenth of the scale, however significant', () => {
    const baseline = summarize(Array.from({ length: 10_000 }, (_, i) => (i % 100 < 90 ? 1 : 0)));
    const recent = summarize(Array.from({ length: 10_000 }, (_, i) => (i % 100 < 85 ? 1 : 0)));
    expect(judgeRegression('heuristic.no_refusal', baseline, recent, rule).regressed).toBe(false);
  });

  it('never treats latency or cost as a quality regression', () => {
    expect(judgeRegression('heuristic.latency_ms', summarize([1, 1, 1]), summarize([9, 9, 9]), rule)).toEqual({ regressed: false, why: 'not a quality rubric' });
  });

  it('raises nothing for equal quality over 20 windows of noisy scores on three rubrics', () => {
    const next = random(42);
    let alerts = 0;
    for (let window = 0; window < 20; window++) {
      for (const rubric of ['helpfulness', 'safety', 'faithfulness']) {
        const baseline = summarize(judgeScores(next, 7 * 40, 3.6));
        const recent = summarize(judgeScores(next, 40, 3.6));
        if (judgeRegression(rubric, baseline, recent, rule).regressed) alerts++;
      }
    }
    expect(alerts).toBe(0);
  });
});
