import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { duplicateConnection } from './redis.connection';

export interface InvalidationHandlers {
  /** One announced message (what changed: a tenant id, a key hash, ...). */
  onMessage(message: string): void;
  /** The subscription came back after a loss: announcements may have been missed, drop everything. */
  onResubscribed(): void;
}

/**
 * A Redis pub/sub channel that tells every process to drop cached copies: a writer `announce`s what
 * changed after its write, each reader `listen`s on its own duplicated connection. Process caches
 * (tenant policies, API keys) keep a TTL as the safety net for a missed announcement; after a lost
 * subscription the reader is told to drop everything. Start-up never waits on Redis.
 */
export class InvalidationChannel {
  private readonly logger: Logger;
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    readonly channel: string,
  ) {
    this.logger = new Logger(`InvalidationChannel(${channel})`);
  }

  /** Subscribes on a duplicate of the connection; returns once the subscription is asked for. */
  listen(handlers: InvalidationHandlers, connectionName: string): void {
    const subscriber = duplicateConnection(this.redis, { connectionName, lazyConnect: true });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) handlers.onMessage(message);
    });
    let subscribedOnce = false;
    subscriber.on('ready', () => {
      if (subscribedOnce) handlers.onResubscribed();
      subscribedOnce = true;
    });
    subscriber.on('error', (error: Error) => this.logger.warn({ err: error }, 'Redis subscription error'));
    subscriber
      .connect()
      .then(() => subscriber.subscribe(this.channel))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not subscribe'));
  }

  /** Tells every listening process (this one included) that `message` changed. */
  async announce(...messages: string[]): Promise<void> {
    for (const message of messages) await this.redis.publish(this.channel, message);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }
}
