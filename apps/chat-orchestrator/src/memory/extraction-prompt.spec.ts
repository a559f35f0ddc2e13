import { EXTRACTOR_HEADER, extractionMessages, parseExtraction } from './extraction-prompt';

describe('extraction prompt and answer', () => {
  const existing = [{ id: '0b9f3c1e-1111-4a4a-8a8a-000000000001', kind: 'preference', content: 'Prefers tea' }];

  it('shows existing memories under short ids and maps them back', () => {
    const { messages, ids } = extractionMessages(existing, { user: 'I prefer coffee', assistant: 'ok' });
    expect(messages[1]?.content.split('\n')[0]).toBe(EXTRACTOR_HEADER);
    expect(messages[1]?.content).toContain('"id":"m1"');
    const parsed = parseExtraction('```json\n{"operations":[{"op":"update","id":"m1","kind":"preference","content":"Prefers coffee","reason":"changed"}]}\n```', ids);
    expect(parsed).toEqual({ ok: true, operations: [{ op: 'update', id: existing[0]?.id, kind: 'preference', content: 'Prefers coffee' }] });
  });

  it('rejects prose, unknown operations, unknown kinds and empty contents', () => {
    const ids = new Map<string, string>();
    expect(parseExtraction('Sure! {"operations": [', ids).ok).toBe(false);
    expect(parseExtraction('{"operations":[{"op":"replace","content":"x"}]}', ids).ok).toBe(false);
    expect(parseExtraction('{"operations":[{"op":"add","kind":"secret","content":"x"}]}', ids).ok).toBe(false);
    expect(parseExtraction('{"operations":[{"op":"add","kind":"other","content":"  "}]}', ids).ok).toBe(false);
    expect(parseExtraction('{"facts":[]}', ids).ok).toBe(false);
    expect(parseExtraction('{"operations":[]}', ids)).toEqual({ ok: true, operations: [] });
  });
});
