/**
 * The statistics of evaluation: summaries from (n, sum, sum of squares), confidence intervals of a
 * mean (Student's t), and Welch's unequal-variance t-test for "the recent window scores lower than
 * the baseline". Pure functions, no I/O.
 */

export interface Summary {
  n: number;
  mean: number;
  /** Sample variance (n − 1); 0 below two observations. */
  variance: number;
}

export function summaryOf(n: number, sum: number, sumSq: number): Summary {
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

export function summarize(values: readonly number[]): Summary {
  let sum = 0;
  let sumSq = 0;
  for (const value of values) {
    sum += value;
    sumSq += value * value;
  }
  return summaryOf(values.length, sum, sumSq);
}

/** The two-sided `level` confidence interval of the mean (Student's t with n − 1 degrees of freedom); null below two observations. */
export function confidenceInterval(summary: Summary, level = 0.95): [number, number] | null {
  if (summary.n < 2) return null;
  const half = tQuantile(1 - (1 - level) / 2, summary.n - 1) * Math.sqrt(summary.variance / summary.n);
  return [summary.mean - half, summary.mean + half];
}

export interface WelchResult {
  /** recent − baseline. */
  difference: number;
  t: number;
  df: number;
  /** One-sided p-value of "recent is lower than baseline". */
  pLower: number;
  /** Two-sided `level` confidence interval of the difference. */
  interval: [number, number];
}

/** Welch's t-test of `b` against `a` (difference b − a); null when either side has fewer than two observations. */
export function welchTest(a: Summary, b: Summary, level = 0.95): WelchResult | null {
  if (a.n < 2 || b.n < 2) return null;
  const difference = b.mean - a.mean;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    // No spread on either side: any difference is certain, none is no evidence at all.
    const pLower = difference < 0 ? 0 : 1;
    return { difference, t: difference === 0 ? 0 : Math.sign(difference) * Infinity, df: a.n + b.n - 2, pLower, interval: [difference, difference] };
  }
  const df = (va + vb) ** 2 / ((va * va) / Math.max(1, a.n - 1) + (vb * vb) / Math.max(1, b.n - 1));
  const t = difference / se;
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return { difference, t, df, pLower: tCdf(t, df), interval: [difference - half, difference + half] };
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (bisection on {@link tCdf}; plenty precise for intervals). */
export function tQuantile(p: number, df: number): number {
  let lo = -1_000;
  let hi = 1_000;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The regularized incomplete beta function I_x(a, b) (continued fraction, Numerical Recipes §6.4). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-12) break;
  }
  return h;
}

/** ln Γ(x) (Lanczos approximation). */
function logGamma(x: number): number {
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = coefficients[0];
  for (let i = 1; i < g + 2; i++) sum += coefficients[i] / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
