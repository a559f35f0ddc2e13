import { cleanText, inspectInput, isCleanText } from './input-rules';
import { chatCompletionRequestSchema } from './chat-completion.schema';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
};

describe('input rules', () => {
  it('tells clean text from text with NUL or an unpaired surrogate', () => {
    expect(isCleanText('plain, emoji 😀, RTL \u200f, ½')).toBe(true);
    expect(isCleanText('a\u0000b')).toBe(false);
    expect(isCleanText('\ud800')).toBe(false);
    expect(isCleanText('x\udc00')).toBe(false);
    expect(isCleanText('\ud83d')).toBe(false);
    expect(cleanText('a\u0000b\ud800c😀')).toBe('a\uFFFDb\uFFFDc😀');
  });

  it('names the first offending field, keys included, in document order', () => {
    expect(inspectInput({ title: 'ok', metadata: { k: '\ud800' } })).toMatchObject({ code: 'invalid_characters', param: 'metadata.k' });
    expect(inspectInput({ messages: [{ content: 'ok' }, { content: [{ text: 'a\u0000' }] }] })).toMatchObject({ param: 'messages.1.content.0.text' });
    expect(inspectInput({ metadata: { 'k\u0000': 'v' } })).toMatchObject({ code: 'invalid_characters', param: 'metadata.k\uFFFD' });
    expect(inspectInput('\u0000')).toMatchObject({ code: 'invalid_characters', param: null });
    expect(inspectInput({ a: [1, true, null, 'fine'] })).toBeNull();
  });

  it('bounds nesting without using the stack, and the number of values', () => {
    expect(inspectInput(nested(64))).toBeNull();
    expect(inspectInput(nested(65))).toMatchObject({ code: 'json_too_deep' });
    expect(inspectInput(nested(1_000_000))).toMatchObject({ code: 'json_too_deep' });
    expect(inspectInput(new Array(100_001).fill(0))).toMatchObject({ code: 'json_too_large', param: null });
    expect(inspectInput(new Array(99_999).fill(0))).toBeNull();
  });
});

describe('model names', () => {
  const issue = (model: string) => {
    const result = chatCompletionRequestSchema.safeParse({ model, messages: [{ role: 'user', content: 'hi' }] });
    return result.success ? null : result.error.issues[0];
  };

  it('accepts real model ids', () => {
    for (const model of ['gpt-4o-2024-08-06', 'claude-opus-4-5', 'meta-llama/Llama-3.1-8B-Instruct', 'llama3.1:8b', 'ft:gpt-4o-mini:org::abc']) {
      expect(issue(model)).toBeNull();
    }
  });

  it('refuses control, non-ASCII and empty names with the invalid_model code', () => {
    for (const model of ['\u0000', '😀', 'gpt\u200f4', 'gpt 4', '', 'x'.repeat(257)]) {
      expect(issue(model)).toMatchObject({ path: ['model'], params: { code: 'invalid_model' } });
    }
  });
});
