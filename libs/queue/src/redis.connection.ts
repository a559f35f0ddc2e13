import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

export interface RedisNode {
  host: string;
  port: number;
}

/** How the process reaches Redis (`REDIS_MODE`, parsed by libs/config's `redisTopology`). */
export type RedisTopology =
  | { mode: 'standalone' }
  | { mode: 'cluster'; nodes: RedisNode[] }
  | { mode: 'sentinel'; sentinels: RedisNode[]; master: string; sentinelPassword?: string };

let processTopology: RedisTopology = { mode: 'standalone' };

/**
 * Sets the topology every later {@link createRedisConnection} of this process follows (the queue's,
 * the budget's). Called once at start-up by `QueueModule.forRoot`, before any connection is made.
 */
export function useRedisTopology(topology: RedisTopology): void {
  processTopology = topology;
}

export function currentRedisTopology(): RedisTopology {
  return processTopology;
}

/**
 * BullMQ's key prefix. In a Redis Cluster every key of one queue must be in one slot (BullMQ's
 * scripts touch several), so the prefix is a hash tag there: `{conduit}:ingestion:wait`. Elsewhere
 * the prefix is used as it is, so existing keys keep their names.
 */
export function queueKeyPrefix(prefix: string, topology: RedisTopology = processTopology): string {
  if (topology.mode !== 'cluster' || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

/** Credentials, database and TLS of REDIS_URL, for the topologies that take nodes from elsewhere. */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A Redis connection for the process's topology. Defaults suit BullMQ: workers block on Redis, so
 * commands wait for reconnection rather than fail after a few retries (`maxRetriesPerRequest:
 * null`); callers that must fail fast pass their own. In cluster mode the result is an ioredis
 * `Cluster`, which answers the same commands (keys of one multi-key command or script must share
 * a hash tag); use {@link duplicateConnection} rather than `duplicate()` for a second connection.
 */
export function createRedisConnection(url: string, options: RedisOptions = {}, topology: RedisTopology = processTopology): Redis {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: options.connectionName,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  };
  switch (topology.mode) {
    case 'standalone':
      return new Redis(url, redisOptions);
    case 'sentinel':
      return new Redis({
        ...redisOptions,
        ...urlOptions(url),
        sentinels: topology.sentinels,
        name: topology.master,
        ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
        sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      });
    case 'cluster': {
      const { retryStrategy, enableAutoPipelining, lazyConnect, enableReadyCheck, ...perNode } = redisOptions;
      const clusterOptions: ClusterOptions = {
        redisOptions: { ...perNode, ...urlOptions(url), db: 0 },
        clusterRetryStrategy: (attempt) => retryStrategy?.(attempt) ?? Math.min(attempt * 200, 2_000),
        enableReadyCheck,
        ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
        ...(lazyConnect !== undefined ? { lazyConnect } : {}),
        // BullMQ and the budget scripts wait out a slot move rather than fail.
        maxRedirections: 16,
        retryDelayOnMoved: 50,
      };
      // A Cluster answers every command the services send; typed as Redis for its callers.
      return new Cluster(topology.nodes, clusterOptions) as unknown as Redis;
    }
  }
}

/** A second connection like `redis` (e.g. a pub/sub subscriber), for a standalone, Sentinel or Cluster connection alike. */
export function duplicateConnection(redis: Redis, options: RedisOptions = {}): Redis {
  const connection = redis as Redis | Cluster;
  if (connection instanceof Cluster) {
    const { lazyConnect, connectionName } = options;
    return connection.duplicate(undefined, {
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      redisOptions: { ...connection.options.redisOptions, ...(connectionName ? { connectionName } : {}) },
    }) as unknown as Redis;
  }
  return connection.duplicate(options);
}
