import type { ChatMessage } from '@conduit/llm';
import type { Rubric } from './rubrics';

/** What a judge sees of a turn. */
export interface JudgedTurn {
  question: string;
  answer: string;
  /** The sources the answer was grounded in, as recorded with the message (document, chunk, file name). */
  sources: { index: number; document_id: string; chunk_index: number; filename: string | null }[];
}

const MAX_TEXT = 24_000;

const SYSTEM =
  'You are an impartial evaluator of an AI assistant. Grade the answer against the rubric only. ' +
  'Reply with exactly one JSON object and nothing else, the explanation first: ' +
  '{"explanation": "<two or three sentences of reasoning>", "score": <integer 1 to 5>}.';

/**
 * The judge's messages. The user message starts with `Conduit evaluation judge. Rubric: <name>`
 * (mock-llm's judge mode recognises it); the judged texts are fenced so that instructions inside
 * them read as data.
 */
export function judgeMessages(rubric: Rubric, turn: JudgedTurn): ChatMessage[] {
  const parts = [`Conduit evaluation judge. Rubric: ${rubric.name} (v${rubric.version})`, `Criteria: ${rubric.criteria}`];
  if (turn.sources.length > 0) {
    const list = turn.sources.map((s) => `[${s.index + 1}] ${s.filename ?? s.document_id} (chunk ${s.chunk_index})`).join('\n');
    parts.push(`Retrieved sources cited by number:\n${list}`);
  }
  parts.push(`Question:\n<<<\n${turn.question.slice(0, MAX_TEXT)}\n>>>`, `Answer:\n<<<\n${turn.answer.slice(0, MAX_TEXT)}\n>>>`);
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}
