/**
 * The rules every value a client sends is held to at the edge, before any schema or service code
 * sees it (JSON bodies when they are parsed, queries and form fields when they are validated):
 *
 * - Text is Unicode without U+0000 (NUL) and without unpaired UTF-16 surrogates (`"\ud800"`), in
 *   every string and every object key at any depth: Postgres cannot store either in `text` or
 *   `jsonb`, and a provider cannot be sent them faithfully. Refused with 400 `invalid_characters`,
 *   `param` naming the field. Nothing is silently rewritten.
 * - A JSON value nests at most {@link INPUT_LIMITS.maxDepth} objects/arrays deep and holds at most
 *   {@link INPUT_LIMITS.maxValues} values: 400 `json_too_deep` / `json_too_large`. Everything
 *   behind the edge (schemas, token estimates, hashing, serialising) may then recurse safely.
 */
export const INPUT_LIMITS = { maxDepth: 64, maxValues: 100_000 } as const;

export type InputLimits = { maxDepth: number; maxValues: number };

export type InputProblemCode = 'invalid_characters' | 'json_too_deep' | 'json_too_large';

export interface InputProblem {
  code: InputProblemCode;
  message: string;
  /** Dotted path of the offending field (`messages.0.content`), `null` for the whole value. */
  param: string | null;
}

// Without the `u` flag the regex sees UTF-16 code units, so a lone half of a surrogate pair matches.
// eslint-disable-next-line no-control-regex
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BAD_TEXT_GLOBAL = new RegExp(BAD_TEXT.source, 'g');

/** True when `text` holds no NUL and no unpaired surrogate. */
export function isCleanText(text: string): boolean {
  return !BAD_TEXT.test(text);
}

/**
 * `text` with every NUL and unpaired surrogate replaced by U+FFFD. Only for what Conduit did not
 * accept from a client — a provider's output it must store, a field name it echoes in an error.
 */
export function cleanText(text: string): string {
  return isCleanText(text) ? text : text.replace(BAD_TEXT_GLOBAL, '\uFFFD');
}

interface Frame {
  value: unknown;
  parent: Frame | null;
  key: string | number | null;
  depth: number;
}

function pathOf(frame: Frame): string | null {
  const parts: string[] = [];
  for (let at: Frame | null = frame; at && at.key !== null; at = at.parent) parts.push(cleanText(String(at.key)));
  return parts.length > 0 ? parts.reverse().join('.') : null;
}

/**
 * The first value (in document order) that breaks the input rules, or `null`. Iterative, so a
 * value nested a million deep costs a loop, not the stack; stops at the first problem.
 */
export function inspectInput(value: unknown, limits: InputLimits = INPUT_LIMITS): InputProblem | null {
  const stack: Frame[] = [{ value, parent: null, key: null, depth: 0 }];
  let seen = 0;
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    seen += 1;
    if (seen > limits.maxValues) {
      return { code: 'json_too_large', param: null, message: `The request holds more than ${limits.maxValues} JSON values.` };
    }
    const current = frame.value;
    if (typeof current === 'string') {
      if (!isCleanText(current)) return invalidCharacters(frame);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const depth = frame.depth + 1;
    if (depth > limits.maxDepth) {
      const param = pathOf(frame);
      return { code: 'json_too_deep', param, message: `${param ?? 'The request'} nests objects and arrays more than ${limits.maxDepth} deep.` };
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i], parent: frame, key: i, depth });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      stack.push({ value: (current as Record<string, unknown>)[keys[i]], parent: frame, key: keys[i], depth });
    }
    // Keys are text too; checked after queueing so the problem's path names the key itself.
    const badKey = keys.find((key) => !isCleanText(key));
    if (badKey !== undefined) return invalidCharacters({ value: badKey, parent: frame, key: badKey, depth });
  }
  return null;
}

function invalidCharacters(frame: Frame): InputProblem {
  const param = pathOf(frame);
  return {
    code: 'invalid_characters',
    param,
    message: `${param ?? 'The request'} contains a NUL character (U+0000) or an unpaired UTF-16 surrogate; text must be valid Unicode without NUL.`,
  };
}
