import { HeuristicRubric } from '@conduit/evaluation';

/** What the heuristic scorers look at: one stored turn. */
export interface ScoredTurn {
  answer: string;
  /** Retrieved sources the answer was grounded in (message metadata `citations`). */
  sourceCount: number;
  /** `json_object` / `json_schema` when the request asked for JSON (message metadata `response_format`). */
  responseFormat: string | null;
  latencyMs: number | null;
  costUsd: number;
}

export interface HeuristicScore {
  rubric: string;
  score: number;
  explanation: string;
}

/** Phrases that open (or make up) a refusal. Matched case-insensitively near the start of the answer. */
const REFUSAL = [
  /\bI(?:'m| am) (?:sorry|afraid),? (?:but )?I (?:can(?:'|no)t|won't|am unable to|'m unable to)\b/i,
  /\bI (?:can(?:'|no)t|won't|am unable to|'m unable to|am not able to) (?:help|assist|comply|provide|do that|answer)\b/i,
  /\bas an AI(?: language model)?,? I (?:can(?:'|no)t|don't|do not)\b/i,
  /\bI must (?:decline|refuse)\b/i,
];

/** `[1]`, `[2]` … : how the chat path asks grounded answers to cite their sources. */
const CITATION = /\[\d{1,3}\]/;

/**
 * The heuristic scores of a turn: pass (1) or fail (0) for empty answer, refusal, a citation when
 * sources were given and valid JSON when JSON was asked for (the last two only when they apply),
 * and the measured latency (ms, when known) and cost (USD).
 */
export function heuristicScores(turn: ScoredTurn): HeuristicScore[] {
  const text = turn.answer.trim();
  const scores: HeuristicScore[] = [];
  scores.push(text.length > 0 ? pass(HeuristicRubric.NonEmpty, 'the answer has text') : fail(HeuristicRubric.NonEmpty, 'the answer is empty'));
  const opening = text.slice(0, 400);
  const refusal = REFUSAL.find((pattern) => pattern.test(opening));
  scores.push(refusal ? fail(HeuristicRubric.NoRefusal, 'the answer refuses') : pass(HeuristicRubric.NoRefusal, 'no refusal found'));
  if (turn.sourceCount > 0) {
    scores.push(
      CITATION.test(text)
        ? pass(HeuristicRubric.CitationPresent, 'the answer cites a source')
        : fail(HeuristicRubric.CitationPresent, `${turn.sourceCount} sources were given and none is cited`),
    );
  }
  if (turn.responseFormat === 'json_object' || turn.responseFormat === 'json_schema') {
    scores.push(isJson(text) ? pass(HeuristicRubric.JsonValid, 'the answer is valid JSON') : fail(HeuristicRubric.JsonValid, 'JSON was asked for; the answer does not parse'));
  }
  if (turn.latencyMs !== null) scores.push({ rubric: HeuristicRubric.LatencyMs, score: turn.latencyMs, explanation: 'answer latency (ms)' });
  scores.push({ rubric: HeuristicRubric.CostUsd, score: turn.costUsd, explanation: 'cost of the answer (USD)' });
  return scores;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function pass(rubric: string, explanation: string): HeuristicScore {
  return { rubric, score: 1, explanation };
}

function fail(rubric: string, explanation: string): HeuristicScore {
  return { rubric, score: 0, explanation };
}
