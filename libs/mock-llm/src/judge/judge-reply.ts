/**
 * Judge mode: a request whose last user message starts a line with
 * `Conduit evaluation judge. Rubric: <name>` (the prompt the eval worker's LLM judges send) gets a
 * structured verdict instead of an echo — JSON with the explanation before the score — derived from
 * markers in the judged text, so tests can make an answer (or a whole template version or model)
 * score worse on purpose:
 *
 * - `[[score:N]]` — every rubric scores N (1–5);
 * - `[[score:<rubric>:N]]` — that rubric scores N (wins over `[[score:N]]`);
 * - `[[quality:good]]` = 5, `[[quality:fair]]` = 3, `[[quality:poor]]` = 1;
 * - `[[judge:unparseable]]` (or `[[judge:<rubric>:unparseable]]`) — the verdict is prose, not JSON;
 * - no marker — {@link DEFAULT_JUDGE_SCORE}.
 *
 * The prompt's rubric line is matched anywhere in the text, so markers quoted in the question or the
 * answer both count. Same text, same verdict.
 */
export const JUDGE_PROMPT_PATTERN = /^Conduit evaluation judge\. Rubric: ([a-z0-9_-]+)/m;

export const DEFAULT_JUDGE_SCORE = 4;

const QUALITY_SCORES: Record<string, number> = { good: 5, fair: 3, poor: 1 };

/** The judge's reply, or undefined when the text is not a judge prompt. */
export function judgeReply(text: string): string | undefined {
  const rubric = JUDGE_PROMPT_PATTERN.exec(text)?.[1];
  if (rubric === undefined) return undefined;
  if (text.includes('[[judge:unparseable]]') || text.includes(`[[judge:${rubric}:unparseable]]`)) {
    return `I would rather not give a number for ${rubric} here.`;
  }
  const { score, reason } = judgeScore(text, rubric);
  return JSON.stringify({ explanation: `Mock judge (${rubric}): ${reason}.`, score });
}

function judgeScore(text: string, rubric: string): { score: number; reason: string } {
  const specific = new RegExp(`\\[\\[score:${rubric}:([1-5])\\]\\]`).exec(text);
  if (specific) return { score: Number(specific[1]), reason: `marker [[score:${rubric}:${specific[1]}]]` };
  const general = /\[\[score:([1-5])\]\]/.exec(text);
  if (general) return { score: Number(general[1]), reason: `marker [[score:${general[1]}]]` };
  const quality = /\[\[quality:(good|fair|poor)\]\]/.exec(text);
  if (quality) return { score: QUALITY_SCORES[quality[1]], reason: `marker [[quality:${quality[1]}]]` };
  return { score: DEFAULT_JUDGE_SCORE, reason: 'no marker, default score' };
}
