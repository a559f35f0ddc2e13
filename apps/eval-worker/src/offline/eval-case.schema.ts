import { z } from 'zod';

/** What a case checks in its answer (every field optional; all set ones must hold). */
export const caseAssertionsSchema = z.strictObject({
  contains: z.array(z.string().min(1)).optional(),
  not_contains: z.array(z.string().min(1)).optional(),
  regex: z.string().min(1).optional(),
  /** A JSON Schema the answer (parsed as JSON) must satisfy. */
  json_schema: z.record(z.string(), z.unknown()).optional(),
  /** The answer cites a source (`[n]`). */
  citation_required: z.boolean().optional(),
  max_latency_ms: z.number().int().min(1).optional(),
  max_cost_usd: z.number().min(0).optional(),
});
export type CaseAssertions = z.output<typeof caseAssertionsSchema>;

/** One line of a dataset (JSONL): a chat request and what its answer must satisfy. */
export const evalCaseSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'ids are 1-64 letters, digits, _ . -'),
  model: z.string().min(1).max(256).optional(),
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(1),
  /** A collection to ground the answer in (`conduit.collection`). */
  collection: z.string().min(1).optional(),
  assert: caseAssertionsSchema.default({}),
});
export type EvalCase = z.output<typeof evalCaseSchema>;

/** Parses a JSONL dataset; throws naming the line of the first bad case. */
export function parseDataset(text: string): EvalCase[] {
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`dataset line ${index + 1}: not valid JSON`);
    }
    const parsed = evalCaseSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`dataset line ${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(case)'} ${i.message}`).join('; ')}`);
    if (ids.has(parsed.data.id)) throw new Error(`dataset line ${index + 1}: duplicate case id ${parsed.data.id}`);
    ids.add(parsed.data.id);
    cases.push(parsed.data);
  });
  if (cases.length === 0) throw new Error('dataset has no cases');
  return cases;
}
