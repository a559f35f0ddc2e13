import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ReadinessCheck } from '@conduit/observability';
import { REDIS_CONNECTION } from './queue.constants';

@Injectable()
export class RedisReadiness implements ReadinessCheck {
  readonly name = 'redis';

  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async check(): Promise<void> {
    // With maxRetriesPerRequest null a PING to a dead server waits forever: look at the state first.
    if (this.redis.status !== 'ready') {
      throw new Error(`redis connection is ${this.redis.status}`);
    }
    const reply = await this.redis.ping();
    if (reply !== 'PONG') throw new Error(`redis answered ${reply} to PING`);
  }
}
