import { LoadingCache } from './loading-cache';

describe('LoadingCache', () => {
  let now = 1_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('loads a key once for concurrent callers and keeps it for the TTL', async () => {
    const cache = new LoadingCache<number>(1_000);
    let loads = 0;
    const load = async () => (loads += 1);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load), cache.get('b', load)])).toEqual([1, 1, 2]);
    now += 999;
    expect(await cache.get('a', load)).toBe(1);
    now += 1;
    expect(await cache.get('a', load)).toBe(3);
  });

  it('keeps no failed load, and starts over past its size bound', async () => {
    const cache = new LoadingCache<string>(60_000, 2);
    await expect(cache.get('a', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', async () => 'a1')).toBe('a1');
    await cache.get('b', async () => 'b1');
    await cache.get('c', async () => 'c1'); // third key: the first two are dropped
    expect(await cache.get('a', async () => 'a2')).toBe('a2');
    expect(await cache.get('c', async () => 'c2')).toBe('c1');
  });
});
