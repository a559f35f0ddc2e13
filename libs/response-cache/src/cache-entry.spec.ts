import { decodeEntry, encodeEntry, type CacheEntry } from './cache-entry';

const entry: CacheEntry = {
  v: 1,
  content: 'Paris.',
  finish_reason: 'stop',
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { input_tokens: 12, output_tokens: 2, cached_tokens: 0 },
  cost_nano: 3_000,
  created_at: 1_765_000_000_000,
};

describe('cache entry codec', () => {
  it('decodes what it encodes', () => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('reads a damaged or foreign value as a miss', () => {
    expect(decodeEntry('{not json')).toBeUndefined();
    expect(decodeEntry(JSON.stringify({ ...entry, v: 2 }))).toBeUndefined();
    expect(decodeEntry(JSON.stringify({ ...entry, finish_reason: 'tool_calls' }))).toBeUndefined();
  });
});
