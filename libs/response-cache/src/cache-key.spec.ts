import { canonicalJson, exactCacheKey, semanticParts, type CacheKeyInput } from './cache-key';

const SYSTEM = { role: 'system', content: 'You are terse.' };
const USER = { role: 'user', content: 'What is the capital of France?' };
const base = (): CacheKeyInput => ({
  tenantId: 'tenant-a',
  userId: null,
  route: 'default',
  messages: [SYSTEM, USER],
  params: { temperature: 0 },
  templateVersion: null,
});

describe('exactCacheKey', () => {
  it('is the same for the same request, whatever the order of object keys, null or absent fields and surrounding whitespace', () => {
    const other = { ...base(), params: { top_p: null, temperature: 0 }, messages: [{ content: ' You are terse.\n', role: 'system' }, { role: 'user', content: 'What is the capital of France?' }] };
    expect(exactCacheKey(other)).toBe(exactCacheKey(base()));
  });

  it.each<[string, (input: CacheKeyInput) => CacheKeyInput]>([
    ['another tenant', (i) => ({ ...i, tenantId: 'tenant-b' })],
    ['a user scope', (i) => ({ ...i, userId: 'user-1' })],
    ['another route', (i) => ({ ...i, route: 'fast' })],
    ['another system prompt', (i) => ({ ...i, messages: [{ role: 'system', content: 'You are verbose.' }, USER] })],
    ['another question', (i) => ({ ...i, messages: [SYSTEM, { role: 'user', content: 'What is the capital of Spain?' }] })],
    ['a temperature', (i) => ({ ...i, params: { temperature: 0.7 } })],
    ['tools', (i) => ({ ...i, params: { ...i.params, tools: [{ type: 'function', function: { name: 'f' } }] } })],
    ['tool_choice', (i) => ({ ...i, params: { ...i.params, tool_choice: 'none' } })],
    ['response_format', (i) => ({ ...i, params: { ...i.params, response_format: { type: 'json_object' } } })],
    ['max tokens', (i) => ({ ...i, params: { ...i.params, max_tokens: 10 } })],
    ['stop', (i) => ({ ...i, params: { ...i.params, stop: ['\n'] } })],
    ['seed', (i) => ({ ...i, params: { ...i.params, seed: 7 } })],
    ['a template version', (i) => ({ ...i, templateVersion: '3' })],
  ])('differs with %s', (_name, change) => {
    expect(exactCacheKey(change(base()))).not.toBe(exactCacheKey(base()));
  });

  it('encodes objects with sorted keys and without null members', () => {
    expect(canonicalJson({ b: 1, a: [null, { d: null, c: 'x' }] })).toBe('{"a":[null,{"c":"x"}],"b":1}');
  });

  describe('semanticParts', () => {
    it('compares only the last user turn by meaning; the rest is an exact filter', () => {
      const parts = semanticParts(base());
      expect(parts.prompt).toBe('What is the capital of France?');
      // Another question, same everything else: same filter.
      expect(semanticParts({ ...base(), messages: [SYSTEM, { role: 'user', content: '  Capital of France?' }] })).toEqual({ prompt: 'Capital of France?', filterHash: parts.filterHash });
    });

    it.each<[string, (input: CacheKeyInput) => CacheKeyInput]>([
      ['another system prompt', (i) => ({ ...i, messages: [{ role: 'system', content: 'You are verbose.' }, USER] })],
      ['an earlier turn', (i) => ({ ...i, messages: [SYSTEM, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, USER] })],
      ['another route', (i) => ({ ...i, route: 'fast' })],
      ['tools', (i) => ({ ...i, params: { ...i.params, tools: [{ type: 'function', function: { name: 'f' } }] } })],
      ['response_format', (i) => ({ ...i, params: { ...i.params, response_format: { type: 'json_object' } } })],
      ['a temperature', (i) => ({ ...i, params: { temperature: 1 } })],
      ['a template version', (i) => ({ ...i, templateVersion: '2' })],
    ])('gives another filter with %s', (_name, change) => {
      expect(semanticParts(change(base())).filterHash).not.toBe(semanticParts(base()).filterHash);
    });

    it('has no prompt when the conversation does not end with a user turn', () => {
      expect(semanticParts({ ...base(), messages: [SYSTEM, USER, { role: 'assistant', content: 'Paris.' }] }).prompt).toBeUndefined();
    });
  });
});
