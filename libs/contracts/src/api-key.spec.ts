import { describeApiKey, hashApiKey, mintApiKey, VISIBLE_PREFIX_LENGTH } from './api-key';

describe('api keys', () => {
  it('mints distinct keys whose stored form is a hash, not the key', () => {
    const a = mintApiKey();
    const b = mintApiKey();
    expect(a.key).not.toEqual(b.key);
    expect(a.key.startsWith('cdt_')).toBe(true);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.key.slice(4));
    expect(a.prefix).toHaveLength(VISIBLE_PREFIX_LENGTH);
    expect(a.key.startsWith(a.prefix)).toBe(true);
  });

  it('hashes deterministically so a presented key can be looked up', () => {
    const minted = mintApiKey();
    expect(hashApiKey(minted.key)).toEqual(minted.hash);
    expect(describeApiKey(minted.key)).toEqual(minted);
    expect(hashApiKey(`${minted.key}x`)).not.toEqual(minted.hash);
  });
});
