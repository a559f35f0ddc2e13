import { minimalJsonInstance } from './json-instance';

/**
 * JSON mode and schema mode: what the mock answers when a request asks for JSON (OpenAI
 * `response_format` `json_object` / `json_schema`, or an Anthropic forced tool call).
 *
 * - schema mode: the minimal valid instance of the schema (json-instance.ts);
 * - JSON mode (no schema): `{"reply": "<the usual echo reply>"}`.
 *
 * Markers anywhere in the last user message make the answer bad on purpose, so a caller's
 * validation and retry can be tested:
 *
 * | marker | answer |
 * | --- | --- |
 * | `[[json:invalid]]` | text that is not JSON, every time |
 * | `[[json:invalid-once]]` | text that is not JSON the first time this exact prompt is seen (per server), valid JSON after |
 * | `[[json:mismatch]]` | `{"mock_mismatch": true}`: a JSON object that a schema with required properties refuses |
 */
export const JSON_MARKER = /\[\[json:(invalid-once|invalid|mismatch)\]\]/;

export type JsonMarker = 'invalid-once' | 'invalid' | 'mismatch';

export const NOT_JSON_REPLY = 'Mock reply: this is not JSON.';

export const MISMATCH_VALUE = { mock_mismatch: true } as const;

/** A JSON answer: a value (sent as its JSON), or text sent as it is (not JSON, or a planted reply). */
export type JsonAnswer = { kind: 'value'; value: unknown } | { kind: 'text'; text: string };

export function jsonMarkerOf(lastUserText: string): JsonMarker | undefined {
  return JSON_MARKER.exec(lastUserText)?.[1] as JsonMarker | undefined;
}

/**
 * Remembers which prompts already had their one invalid answer (`[[json:invalid-once]]`), by
 * a key of the whole request; bounded, oldest forgotten first.
 */
export class FirstSeenPrompts {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time `key` is offered (until it is forgotten). */
  firstTime(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}

const ANY_OBJECT_KEYS: ReadonlySet<string> = new Set(['type', 'title', 'description', '$schema']);

/** `{type: "object"}` and nothing that constrains it: JSON mode (an Anthropic forced tool for `json_object`). */
function isAnyObject(schema: Record<string, unknown>): boolean {
  return schema['type'] === 'object' && Object.keys(schema).every((key) => ANY_OBJECT_KEYS.has(key));
}

/**
 * The JSON answer for a request: `schema` undefined is JSON mode, `echo` the usual reply text;
 * `requestKey` identifies the request for `[[json:invalid-once]]`.
 */
export function jsonAnswer(input: {
  lastUserText: string;
  schema: Record<string, unknown> | undefined;
  echo: string;
  requestKey: string;
  seen: FirstSeenPrompts;
}): JsonAnswer {
  const marker = jsonMarkerOf(input.lastUserText);
  if (marker === 'invalid' || (marker === 'invalid-once' && input.seen.firstTime(input.requestKey))) return { kind: 'text', text: NOT_JSON_REPLY };
  if (marker === 'mismatch') return { kind: 'value', value: MISMATCH_VALUE };
  return { kind: 'value', value: input.schema === undefined || isAnyObject(input.schema) ? { reply: input.echo } : minimalJsonInstance(input.schema) };
}
