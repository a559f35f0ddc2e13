import { z } from 'zod';
import type { CaseAssertions } from './eval-case.schema';

/** One run of a case, as the assertions see it. */
export interface CaseRun {
  answer: string;
  latencyMs: number;
  costUsd: number;
}

/** The assertions that failed (empty: the run passes). */
export function failedAssertions(assert: CaseAssertions, run: CaseRun): string[] {
  const failures: string[] = [];
  for (const needle of assert.contains ?? []) if (!run.answer.includes(needle)) failures.push(`contains ${JSON.stringify(needle)}`);
  for (const needle of assert.not_contains ?? []) if (run.answer.includes(needle)) failures.push(`not_contains ${JSON.stringify(needle)}`);
  if (assert.regex !== undefined && !new RegExp(assert.regex).test(run.answer)) failures.push(`regex ${assert.regex}`);
  if (assert.json_schema !== undefined && !matchesJsonSchema(assert.json_schema, run.answer)) failures.push('json_schema');
  if (assert.citation_required && !/\[\d{1,3}\]/.test(run.answer)) failures.push('citation_required');
  if (assert.max_latency_ms !== undefined && run.latencyMs > assert.max_latency_ms) failures.push(`max_latency_ms ${assert.max_latency_ms} (took ${run.latencyMs})`);
  if (assert.max_cost_usd !== undefined && run.costUsd > assert.max_cost_usd) failures.push(`max_cost_usd ${assert.max_cost_usd} (cost ${run.costUsd})`);
  return failures;
}

function matchesJsonSchema(schema: Record<string, unknown>, answer: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(answer);
  } catch {
    return false;
  }
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value).success;
  } catch {
    // A schema zod cannot read never passes (the dataset is wrong, not the answer right).
    return false;
  }
}
