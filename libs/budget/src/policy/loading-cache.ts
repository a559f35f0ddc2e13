/**
 * Values loaded on demand and kept in process for `ttlMs`; concurrent misses of one key share a
 * single load, and a failed load is not kept. Bounded: past `maxEntries` it starts over. For
 * settings read on the request path that may lag a change by the TTL (caps, prices, policies).
 */
export class LoadingCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && cached.expires > Date.now()) return Promise.resolve(cached.value);
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load()
        .then((value) => {
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
          return value;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }
}
