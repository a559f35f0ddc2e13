import type { RedisTopology } from './redis.connection';

export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');
export const JOB_HANDLER_METADATA = 'conduit:job-handler';

export interface QueueModuleOptions {
  redisUrl: string;
  /** Key prefix for every queue, so several deployments can share one Redis. */
  prefix: string;
  /** `REDIS_MODE` and its nodes (default standalone): every connection of the process follows it. */
  topology?: RedisTopology;
}
