import { Redis, RedisOptions } from 'ioredis';

/**
 * A connection for BullMQ. Workers block on Redis, so commands must wait for reconnection
 * rather than fail after a few retries (`maxRetriesPerRequest: null`).
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: options.connectionName,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}
