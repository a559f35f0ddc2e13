import type { Redis } from 'ioredis';

/**
 * Runs a periodic task on at most one replica at a time: each pass takes a Redis lock (`SET NX PX`)
 * that outlives the interval and skips the pass when another replica holds it; a pass never
 * overlaps the previous one in this process. Used by the reconcilers.
 */
export class LeaderInterval<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly lockKey: string,
    private readonly intervalMs: number,
    private readonly task: () => Promise<T>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce().finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass if this replica gets the lock; `undefined` when it does not or the task failed. */
  async runOnce(): Promise<T | undefined> {
    const acquired = await this.redis.set(this.lockKey, process.pid.toString(), 'PX', Math.max(this.intervalMs, 1_000), 'NX').catch(() => null);
    if (acquired !== 'OK') return undefined;
    try {
      return await this.task();
    } catch (error) {
      this.onError(error);
      return undefined;
    } finally {
      await this.redis.del(this.lockKey).catch(() => undefined);
    }
  }
}
