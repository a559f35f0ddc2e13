import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { waitFor } from '@conduit/testing';
import { LeaderInterval } from './leader-interval';

describe('LeaderInterval (real Redis)', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  afterAll(() => redis.quit());

  it('lets only one replica run a pass at a time, and releases the lock afterwards', async () => {
    const key = `test:leader:${randomUUID()}`;
    let release: () => void = () => undefined;
    const slow = new LeaderInterval(redis, key, 5_000, () => new Promise<string>((r) => (release = () => r('first'))), () => undefined);
    const other = new LeaderInterval(redis, key, 5_000, async () => 'second', () => undefined);
    const first = slow.runOnce();
    await waitFor(() => redis.exists(key), { what: 'the first pass to hold the lock', until: (n) => n === 1 });
    expect(await other.runOnce()).toBeUndefined();
    release();
    expect(await first).toBe('first');
    expect(await other.runOnce()).toBe('second');
  });

  it('reports a failing pass and frees the lock', async () => {
    const key = `test:leader:${randomUUID()}`;
    const errors: unknown[] = [];
    const failing = new LeaderInterval(redis, key, 5_000, async () => Promise.reject(new Error('boom')), (e) => errors.push(e));
    expect(await failing.runOnce()).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(await redis.exists(key)).toBe(0);
  });
});
