import { z } from 'zod';

/** What one run of the offline eval measured: per case its pass rate over the repeats, per rubric the mean judge score. */
export interface EvalReport {
  cases: Record<string, { runs: number; passed: number; passRate: number; failures: string[] }>;
  rubrics: Record<string, { n: number; mean: number }>;
}

/** A stored baseline (`--write-baseline`), with the tolerances the gate allows. */
export const baselineSchema = z.strictObject({
  version: z.literal(1),
  tolerance: z.strictObject({ pass_rate: z.number().min(0).max(1).default(0), rubric_mean: z.number().min(0).max(4).default(0.5) }).default({ pass_rate: 0, rubric_mean: 0.5 }),
  cases: z.record(z.string(), z.strictObject({ pass_rate: z.number().min(0).max(1) })),
  rubrics: z.record(z.string(), z.strictObject({ mean: z.number() })),
});
export type Baseline = z.output<typeof baselineSchema>;

export function baselineOf(report: EvalReport, tolerance: Baseline['tolerance'] = { pass_rate: 0, rubric_mean: 0.5 }): Baseline {
  return {
    version: 1,
    tolerance,
    cases: Object.fromEntries(Object.entries(report.cases).map(([id, c]) => [id, { pass_rate: c.passRate }])),
    rubrics: Object.fromEntries(Object.entries(report.rubrics).map(([name, r]) => [name, { mean: r.mean }])),
  };
}

/**
 * The gate: every case of the baseline must keep its pass rate (within `tolerance.pass_rate`) —
 * per case, never a global mean alone — and every rubric its mean score (within
 * `tolerance.rubric_mean`). A case or rubric of the baseline missing from the run fails too.
 */
export function gateFailures(report: EvalReport, baseline: Baseline): string[] {
  const failures: string[] = [];
  for (const [id, expected] of Object.entries(baseline.cases)) {
    const got = report.cases[id];
    if (!got) failures.push(`case ${id}: missing from the run`);
    else if (got.passRate < expected.pass_rate - baseline.tolerance.pass_rate) failures.push(`case ${id}: pass rate ${fmt(got.passRate)} < baseline ${fmt(expected.pass_rate)}`);
  }
  for (const [rubric, expected] of Object.entries(baseline.rubrics)) {
    const got = report.rubrics[rubric];
    if (!got) failures.push(`rubric ${rubric}: no scores in the run`);
    else if (got.mean < expected.mean - baseline.tolerance.rubric_mean) failures.push(`rubric ${rubric}: mean ${fmt(got.mean)} < baseline ${fmt(expected.mean)} − ${baseline.tolerance.rubric_mean}`);
  }
  return failures;
}

/** The report as a fixed-width table (one row per case, then one per rubric). */
export function reportTable(report: EvalReport): string {
  const rows: string[][] = [['case', 'runs', 'passed', 'pass rate', 'failed assertions']];
  for (const [id, c] of Object.entries(report.cases)) rows.push([id, String(c.runs), String(c.passed), fmt(c.passRate), c.failures.join('; ')]);
  rows.push([]);
  rows.push(['rubric', 'n', 'mean']);
  for (const [name, r] of Object.entries(report.rubrics)) rows.push([name, String(r.n), fmt(r.mean)]);
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function fmt(value: number): string {
  return value.toFixed(2);
}
