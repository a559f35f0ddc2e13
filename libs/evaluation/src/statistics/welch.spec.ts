import { confidenceInterval, summarize, summaryOf, tCdf, tQuantile, welchTest, Summary, WelchResult } from './welch';

/** Welch's test where both sides have enough observations (the tests below make sure). */
function welch(a: Summary, b: Summary): WelchResult {
  const result = welchTest(a, b);
  if (!result) throw new Error('expected a test result');
  return result;
}

describe('evaluation statistics', () => {
  it('summarises from n, sum and sum of squares like from the values', () => {
    const values = [1, 2, 3, 4, 5];
    expect(summarize(values)).toEqual(summaryOf(5, 15, 55));
    expect(summarize(values).mean).toBe(3);
    expect(summarize(values).variance).toBeCloseTo(2.5, 10);
  });

  it('knows Student t quantiles', () => {
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
    expect(tQuantile(0.975, 1_000)).toBeCloseTo(1.962, 2);
    expect(tCdf(0, 7)).toBeCloseTo(0.5, 10);
    expect(tCdf(-3.0, 30)).toBeCloseTo(0.00268, 4);
  });

  it('gives a 95 % interval of the mean', () => {
    const [lo, hi] = confidenceInterval(summarize([2, 4, 4, 4, 5, 5, 7, 9])) ?? [NaN, NaN];
    expect(lo).toBeCloseTo(5 - 2.365 * Math.sqrt(4.571428 / 8), 2);
    expect(hi).toBeCloseTo(5 + 2.365 * Math.sqrt(4.571428 / 8), 2);
    expect(confidenceInterval(summarize([3]))).toBeNull();
  });

  it("runs Welch's test: a clear drop has a tiny one-sided p, equal samples do not", () => {
    const baseline = summarize(Array.from({ length: 50 }, (_, i) => 4 + (i % 3) - 1));
    const worse = summarize(Array.from({ length: 50 }, (_, i) => 2 + (i % 3) - 1));
    const drop = welch(baseline, worse);
    expect(drop.difference).toBeCloseTo(-2, 10);
    expect(drop.pLower).toBeLessThan(1e-6);
    expect(drop.interval[1]).toBeLessThan(0);
    const same = welch(baseline, baseline);
    expect(same.pLower).toBeCloseTo(0.5, 6);
  });

  it('handles samples without spread', () => {
    expect(welch(summaryOf(40, 160, 640), summaryOf(40, 80, 160)).pLower).toBe(0);
    expect(welch(summaryOf(40, 160, 640), summaryOf(40, 160, 640)).pLower).toBe(1);
    expect(welchTest(summaryOf(1, 4, 16), summaryOf(40, 160, 640))).toBeNull();
  });
});
