import { MicroBatcher } from './micro-batcher';

/** A flush whose batches are recorded and which completes only when the test says so. */
class ControlledFlush {
  readonly batches: number[][] = [];
  private releases: (() => void)[] = [];

  readonly flush = async (items: readonly number[]): Promise<PromiseSettledResult<number>[]> => {
    this.batches.push([...items]);
    await new Promise<void>((resolve) => this.releases.push(resolve));
    return items.map((item) => (item < 0 ? { status: 'rejected', reason: new Error(`bad ${item}`) } : { status: 'fulfilled', value: item * 10 }));
  };

  /** Completes the flush in flight (waiting for it to start first). */
  async release(): Promise<void> {
    while (this.releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    this.releases.shift()?.();
  }
}

describe('MicroBatcher', () => {
  it('coalesces items submitted in the same turn into one flush and answers each caller', async () => {
    const flush = new ControlledFlush();
    const batcher = new MicroBatcher(flush.flush, { name: 'test', maxBatch: 100 });
    const results = Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    await flush.release();
    expect(await results).toEqual([10, 20, 30]);
    expect(flush.batches).toEqual([[1, 2, 3]]);
  });

  it('accumulates while a flush is in flight and sends the rest as the next batch when it ends', async () => {
    const flush = new ControlledFlush();
    const batcher = new MicroBatcher(flush.flush, { name: 'test', maxBatch: 100 });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flush.batches).toEqual([[1]]);
    const later = [batcher.submit(2), batcher.submit(3)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(batcher.waiting).toBe(2);
    expect(flush.batches).toHaveLength(1);
    await flush.release();
    expect(await first).toBe(10);
    await flush.release();
    expect(await Promise.all(later)).toEqual([20, 30]);
    expect(flush.batches).toEqual([[1], [2, 3]]);
  });

  it('caps a batch at maxBatch items', async () => {
    const flush = new ControlledFlush();
    const batcher = new MicroBatcher(flush.flush, { name: 'test', maxBatch: 2 });
    const results = Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    for (let i = 0; i < 3; i += 1) await flush.release();
    expect(await results).toEqual([10, 20, 30, 40, 50]);
    expect(flush.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails only the callers whose items failed', async () => {
    const flush = new ControlledFlush();
    const batcher = new MicroBatcher(flush.flush, { name: 'test', maxBatch: 10 });
    const results = Promise.allSettled([1, -2, 3].map((n) => batcher.submit(n)));
    await flush.release();
    const [a, b, c] = await results;
    expect(a).toEqual({ status: 'fulfilled', value: 10 });
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toEqual(new Error('bad -2'));
    expect(c).toEqual({ status: 'fulfilled', value: 30 });
  });

  it('fails every caller of a batch whose flush throws, and keeps serving later batches', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('database unavailable');
        return items.map((value) => ({ status: 'fulfilled', value }));
      },
      { name: 'test', maxBatch: 10 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit(3)).toBe(3);
  });

  it('fails the batch when the flush answers for the wrong number of items', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [], { name: 'test', maxBatch: 10 });
    await expect(batcher.submit(1)).rejects.toThrow('flush returned 0 results for 1 items');
  });

  it('refuses a maxBatch below one', () => {
    expect(() => new MicroBatcher<number, number>(async () => [], { name: 'test', maxBatch: 0 })).toThrow(RangeError);
  });
});
