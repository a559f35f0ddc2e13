import { PolicyCache } from './policy-cache';

/** A load the test finishes when it wants. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PolicyCache', () => {
  it('loads once for concurrent misses and serves the cached value after', async () => {
    const cache = new PolicyCache<string>(60_000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await Promise.all([cache.get('t', load), cache.get('t', load), cache.get('t', load)])).toEqual(['v1', 'v1', 'v1']);
    expect(await cache.get('t', load)).toBe('v1');
    expect(loads).toBe(1);
  });

  it('loads again after an invalidation, and only that key', async () => {
    const cache = new PolicyCache<string>(60_000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    await cache.get('a', load);
    await cache.get('b', load);
    cache.invalidate('a');
    expect(await cache.get('a', load)).toBe('v3');
    expect(await cache.get('b', load)).toBe('v2');
  });

  it('does not keep a load that was running when the key was invalidated (it may have read the old row)', async () => {
    const cache = new PolicyCache<string>(60_000);
    const stale = deferred<string>();
    const first = cache.get('t', () => stale.promise);
    cache.invalidate('t');
    // A read after the announcement must not join the stale load.
    const fresh = cache.get('t', async () => 'new');
    stale.resolve('old');
    expect(await first).toBe('old');
    expect(await fresh).toBe('new');
    expect(await cache.get('t', async () => 'unexpected')).toBe('new');
  });

  it('drops a running load on invalidateAll too', async () => {
    const cache = new PolicyCache<string>(60_000);
    const stale = deferred<string>();
    const first = cache.get('t', () => stale.promise);
    cache.invalidateAll();
    stale.resolve('old');
    await first;
    expect(await cache.get('t', async () => 'reloaded')).toBe('reloaded');
  });

  it('expires entries after the TTL', async () => {
    const cache = new PolicyCache<string>(0);
    let loads = 0;
    await cache.get('t', async () => `v${++loads}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('t', async () => `v${++loads}`)).toBe('v2');
  });

  it('does not keep a failed load', async () => {
    const cache = new PolicyCache<string>(60_000);
    await expect(cache.get('t', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('t', async () => 'ok')).toBe('ok');
  });
});
