import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { activeUsers } from '@conduit/observability';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';

const MINUTE_MS = 60_000;
/** The window `conduit_active_users` counts over, in one-minute HyperLogLog buckets. */
export const ACTIVE_WINDOW_MINUTES = 5;
const REFRESH_MS = 15_000;

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

  /** Counts `userId` as active in the minute of `at`. */
  async seen(userId: string, at: Date): Promise<void> {
    const key = this.keyOf(Math.floor(at.getTime() / MINUTE_MS));
    await this.redis.multi().pfadd(key, userId).pexpire(key, (ACTIVE_WINDOW_MINUTES + 1) * MINUTE_MS).exec();
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
