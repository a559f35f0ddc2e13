import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InvalidationChannel, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { AuthChange, authChannel, encodeAuthChange } from './tenancy.constants';

/**
 * Announces credential changes (a revoked key, a suspended user or tenant) on
 * `<QUEUE_PREFIX>:auth:changed`: every gateway drops what it cached about them on hearing it. The
 * stores of this lib call it after each write; gateways listen through {@link InvalidationChannel}.
 */
@Injectable()
export class AuthAnnouncer implements OnApplicationShutdown {
  readonly channel: InvalidationChannel;

  constructor(@Inject(REDIS_CONNECTION) redis: Redis, @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions) {
    this.channel = new InvalidationChannel(redis, authChannel(queue.prefix));
  }

  announce(...changes: AuthChange[]): Promise<void> {
    return this.channel.announce(...changes.map(encodeAuthChange));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.close();
  }
}
