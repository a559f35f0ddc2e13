import { FirstSeenPrompts, jsonAnswer, MISMATCH_VALUE, NOT_JSON_REPLY } from './json-reply';

const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

function answer(lastUserText: string, options: { schema?: Record<string, unknown>; seen?: FirstSeenPrompts; key?: string } = {}) {
  return jsonAnswer({ lastUserText, schema: options.schema, echo: 'Mock reply: hi', requestKey: options.key ?? 'k', seen: options.seen ?? new FirstSeenPrompts() });
}

describe('jsonAnswer', () => {
  it('answers JSON mode with the echo in an object, and schema mode with the minimal instance', () => {
    expect(answer('hi')).toEqual({ kind: 'value', value: { reply: 'Mock reply: hi' } });
    expect(answer('hi', { schema: { type: 'object' } })).toEqual({ kind: 'value', value: { reply: 'Mock reply: hi' } });
    expect(answer('hi', { schema })).toEqual({ kind: 'value', value: { city: 'mock' } });
  });

  it('[[json:invalid]] is never JSON, [[json:mismatch]] is an object outside the schema', () => {
    expect(answer('x [[json:invalid]]', { schema })).toEqual({ kind: 'text', text: NOT_JSON_REPLY });
    expect(() => JSON.parse(NOT_JSON_REPLY)).toThrow();
    expect(answer('x [[json:mismatch]]', { schema })).toEqual({ kind: 'value', value: MISMATCH_VALUE });
  });

  it('[[json:invalid-once]] is invalid the first time a request is seen, valid after, per request', () => {
    const seen = new FirstSeenPrompts();
    expect(answer('[[json:invalid-once]]', { schema, seen, key: 'a' }).kind).toBe('text');
    expect(answer('[[json:invalid-once]]', { schema, seen, key: 'a' })).toEqual({ kind: 'value', value: { city: 'mock' } });
    expect(answer('[[json:invalid-once]]', { schema, seen, key: 'b' }).kind).toBe('text');
  });

  it('forgets the oldest request past its capacity', () => {
    const seen = new FirstSeenPrompts(2);
    expect([seen.firstTime('a'), seen.firstTime('b'), seen.firstTime('a'), seen.firstTime('c'), seen.firstTime('a')]).toEqual([true, true, false, true, true]);
  });
});
