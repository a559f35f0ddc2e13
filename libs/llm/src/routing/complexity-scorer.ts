/**
 * The built-in complexity scorer of the `complexity` routing policy: a deterministic score in
 * [0, 1] from cheap features of the request, no model call. Pure string work on the last user
 * message (capped at {@link SCAN_CHARS}) plus lengths, so it costs microseconds.
 *
 * Features and weights (summed, then clamped):
 * - prompt + context length, ~chars / 4 tokens: up to 0.25 (linear from 100 to 3,000 tokens);
 * - conversation depth (user turns): up to 0.10 (10 turns);
 * - tools or `response_format` present: 0.15;
 * - code (fences, keywords, operators): 0.25; math (LaTeX, formulas, proof words): 0.20;
 * - task words: hard ones (analyse, prove, design, debug, optimise, refactor, trade-offs, write a
 *   function, unit tests, …) 0.25
 *   for the first and 0.10 for a second; trivial ones (hi, thanks, what is, define, translate a
 *   word, …) −0.10;
 * - language: mostly non-Latin script: 0.10 (small models are weakest there).
 */

export interface ScorerInput {
  messages: readonly { role: string; content: string }[];
  tools: boolean;
  responseFormat: boolean;
}

export interface ComplexityScore {
  score: number;
  /** Which features fired, for the decision's reason (e.g. `code+hard_task+long`). */
  signals: string[];
}

const SCAN_CHARS = 4_000;

const CODE = /```|\b(function|def|class|import|return|const|let|var|public|static|SELECT|INSERT|UPDATE)\b|=>|[{};]\s*$|#include|\w+\(\)/m;
const MATH = /\\(frac|sum|int|sqrt|lim)|\b(prove|proof|theorem|lemma|integral|derivative|equation|eigen\w*|matrix|probability|O\(n)/i;
const FORMULA = /\d+\s*[\^*/]\s*\d+|[a-z]\s*\^\s*\d|∑|∫|√/i;
const HARD = /\b(analy[sz]e|analysis|prove|design|architect\w*|optimi[sz]e|debug|refactor|trade-?offs?|implement|algorithm|derive|step[- ]by[- ]step|evaluate|compare|critique|diagnose|explain why|root cause|migrat\w+|concurren\w+|complexity|unit tests?|write (?:a|an) (?:function|program|script|class|query|parser))\b/gi;
const TRIVIAL = /^\s*(hi|hello|hey|thanks|thank you|ok|okay|yes|no)\b|\b(what is|what's|define|who is|capital of|translate the word|spell)\b/i;
const NON_LATIN =
  /[\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Tamil}\p{Script=Thai}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/gu;

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

export function scoreComplexity(input: ScorerInput): ComplexityScore {
  let chars = 0;
  let userTurns = 0;
  let last = '';
  for (const message of input.messages) {
    chars += message.content.length;
    if (message.role === 'user') {
      userTurns++;
      last = message.content;
    }
  }
  const text = last.length > SCAN_CHARS ? last.slice(0, SCAN_CHARS) : last;
  const signals: string[] = [];
  let score = 0;

  const tokens = Math.ceil(chars / 4);
  const length = 0.25 * clamp((tokens - 100) / 2_900);
  if (length > 0.1) signals.push('long');
  score += length;
  score += 0.1 * clamp((userTurns - 1) / 9);
  if (userTurns > 4) signals.push('deep');
  if (input.tools || input.responseFormat) {
    score += 0.15;
    signals.push(input.tools ? 'tools' : 'response_format');
  }
  if (CODE.test(text)) {
    score += 0.25;
    signals.push('code');
  }
  if (MATH.test(text) || FORMULA.test(text)) {
    score += 0.2;
    signals.push('math');
  }
  const hard = text.match(HARD)?.length ?? 0;
  if (hard > 0) {
    score += hard > 1 ? 0.35 : 0.25;
    signals.push('hard_task');
  } else if (TRIVIAL.test(text)) {
    score -= 0.1;
    signals.push('trivial');
  }
  const nonLatin = text.match(NON_LATIN)?.length ?? 0;
  if (text.length > 0 && nonLatin / text.length > 0.3) {
    score += 0.1;
    signals.push('non_latin');
  }
  return { score: Math.round(clamp(score) * 1000) / 1000, signals };
}
