/**
 * Resolved tenant policies kept in process. A read is a map lookup; a miss loads once however many
 * requests ask at the same time. `invalidate` (a change announced over Redis) drops the entry at
 * once, and a load that was already running when the change was announced is not kept: it may have
 * read the old row. `ttlMs` bounds how long an entry lives if an announcement is ever missed.
 */
export class PolicyCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly loading = new Map<string, { generation: number; promise: Promise<V> }>();
  /**
   * Invalidations are numbered by one counter: `invalidated` holds the number of each key's last
   * one, `allInvalidated` that of the last `invalidateAll`. A load remembers the key's number when it
   * starts and is discarded if the number has moved by the time it ends.
   */
  private counter = 0;
  private readonly invalidated = new Map<string, number>();
  private allInvalidated = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && cached.expires > Date.now()) return Promise.resolve(cached.value);
    const generation = this.generationOf(key);
    const running = this.loading.get(key);
    if (running && running.generation === generation) return running.promise;
    const promise = load()
      .then((value) => {
        if (this.generationOf(key) === generation) {
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
        }
        return value;
      })
      .finally(() => {
        if (this.loading.get(key)?.promise === promise) this.loading.delete(key);
      });
    this.loading.set(key, { generation, promise });
    return promise;
  }

  /** Forgets one key: the next read loads it again. */
  invalidate(key: string): void {
    this.counter += 1;
    if (this.invalidated.size >= this.maxEntries) {
      // Forgetting the per-key numbers is only safe together with everything they protect.
      this.invalidateAll();
      return;
    }
    this.invalidated.set(key, this.counter);
    this.entries.delete(key);
  }

  /** Forgets everything (after a lost subscription, when announcements may have been missed). */
  invalidateAll(): void {
    this.counter += 1;
    this.allInvalidated = this.counter;
    this.invalidated.clear();
    this.entries.clear();
  }

  private generationOf(key: string): number {
    return Math.max(this.invalidated.get(key) ?? 0, this.allInvalidated);
  }
}
