import { canonicalJson, requestHash } from './request-hash';

describe('request hash', () => {
  it('ignores key order at every level and undefined fields', () => {
    const a = { type: 'chat.completion', input: { model: 'm', messages: [{ role: 'user', content: 'x' }] }, metadata: undefined };
    const b = { input: { messages: [{ content: 'x', role: 'user' }], model: 'm' }, type: 'chat.completion' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(requestHash(a)).toBe(requestHash(b));
  });

  it('tells different bodies apart, including array order', () => {
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
    expect(requestHash({ a: 'x' })).not.toBe(requestHash({ a: 'y' }));
    expect(requestHash({ a: null })).not.toBe(requestHash({}));
  });
});
