import { fmix32, fnv1a32, fnv1aUpdate, FNV_OFFSET_BASIS } from './feature-hash';

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors for byte strings', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('can be continued over ranges', () => {
    expect(fnv1aUpdate(fnv1aUpdate(FNV_OFFSET_BASIS, 'foo'), 'xbarx', 1, 4)).toBe(fnv1a32('foobar'));
  });

  it('hashes characters beyond Latin-1 and stays unsigned', () => {
    const h = fnv1a32('日本語テキスト');
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThan(2 ** 32);
    expect(fnv1a32('日本語')).not.toBe(fnv1a32('日本'));
  });
});

describe('fmix32', () => {
  it('is the murmur3 finaliser', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });
});
