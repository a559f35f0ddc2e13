import { z } from 'zod';

/**
 * What a judge must answer: one JSON object, the explanation first (the judge reasons before it
 * scores), then an integer score 1–5. A code fence around it is tolerated; anything else is
 * unparseable and recorded as such, never guessed into a score.
 */
const verdictSchema = z.object({
  explanation: z.string().min(1).max(8_000),
  score: z.number().int().min(1).max(5),
});

export type JudgeVerdict = { status: 'ok'; score: number; explanation: string } | { status: 'unparseable'; explanation: string };

const MAX_KEPT = 2_000;

export function parseVerdict(text: string): JudgeVerdict {
  const body = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { status: 'unparseable', explanation: text.slice(0, MAX_KEPT) };
  }
  const parsed = verdictSchema.safeParse(raw);
  if (!parsed.success) return { status: 'unparseable', explanation: text.slice(0, MAX_KEPT) };
  // Explanation before score: a judge that scored first did not reason first.
  if (body.indexOf('"explanation"') > body.indexOf('"score"')) return { status: 'unparseable', explanation: text.slice(0, MAX_KEPT) };
  return { status: 'ok', score: parsed.data.score, explanation: parsed.data.explanation.slice(0, MAX_KEPT) };
}
