export { redisBinariesPresent, startRedisCluster, startRedisSentinel } from './redis-servers';
export type { RunningRedis } from './redis-servers';
