import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { activeUsers } from '@conduit/observability';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';

const MINUTE_MS = 60_000;
/** The window `conduit_active_users` counts over, in one-minute HyperLogLog buckets. */
export const ACTIVE_WINDOW_MINUTES = 5;
const REFRESH_MS = 15_000;
/** Most users remembered as added in one minute (beyond it, repeats are sent again: harmless). */
const ADDED_USERS_MAX = 100_000;

/**
 * Distinct users with billed usage in the last five minutes, shared by every billing replica:
 * each billed event adds its user to the current minute's HyperLogLog in Redis (about 12 kB per
 * minute, whatever the number of users), and the gauge is the union of the last five buckets, so
 * every replica reports the same number (dashboards take `max`). The keys share a hash tag, so
 * the union is one command on Redis Cluster too.
 */
@Injectable()
export class ActiveUsers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ActiveUsers.name);
  private timer: NodeJS.Timeout | undefined;
  /** The users this process added to the latest minute's bucket. */
  private added: { minute: number; users: Set<string> } = { minute: -1, users: new Set() };

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(QUEUE_OPTIONS) private readonly queue: QueueModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh().catch((err: unknown) => this.logger.warn({ err }, 'active users refresh failed')), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Counts `userId` as active in the minute of `at`. Adding a user twice to a minute's
   * HyperLogLog changes nothing, so a user this process already added to the latest minute is
   * not sent again (a busy user's events cost one Redis round trip a minute, not one each).
   */
  async seen(userId: string, at: Date): Promise<void> {
    const minute = Math.floor(at.getTime() / MINUTE_MS);
    if (minute > this.added.minute) this.added = { minute, users: new Set() };
    const current = minute === this.added.minute;
    if (current && this.added.users.has(userId)) return;
    const key = this.keyOf(minute);
    await this.redis.multi().pfadd(key, userId).pexpire(key, (ACTIVE_WINDOW_MINUTES + 1) * MINUTE_MS).exec();
    if (current && this.added.minute === minute && this.added.users.size < ADDED_USERS_MAX) this.added.users.add(userId);
  }

  /** Sets the gauge to the distinct users of the last {@link ACTIVE_WINDOW_MINUTES} minutes, and returns it. */
  async refresh(now = new Date()): Promise<number> {
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    const keys = Array.from({ length: ACTIVE_WINDOW_MINUTES }, (_, i) => this.keyOf(minute - i));
    const count = await this.redis.pfcount(...keys);
    activeUsers.set(count);
    return count;
  }

  private keyOf(minute: number): string {
    return `{${this.queue.prefix}:active-users}:${minute}`;
  }
}
