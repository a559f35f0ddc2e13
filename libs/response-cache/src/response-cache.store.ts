import type { Redis } from 'ioredis';
import { CacheEntry, decodeEntry, encodeEntry } from './cache-entry';

/** A tenant's limits, from its policy. */
export interface CacheLimits {
  ttlSeconds: number;
  maxEntries: number;
  maxBytes: number;
}

/**
 * Stores one entry and keeps the tenant within its caps, atomically. The index (sorted set) holds
 * every live key of the tenant scored by its expiry; sizes sit in a hash and their sum in a
 * counter. Expired members are dropped first, then the entries closest to expiry (the oldest, with
 * one TTL) until the tenant is within both caps. An entry larger than the byte cap is not stored.
 * KEYS: entry, index, sizes, total. ARGV: member, value, ttl ms, now ms, max entries, max bytes,
 * entry key prefix. Returns how many entries were evicted, or -1 when the entry was not stored.
 */
const PUT_SCRIPT = `
local member, value, prefix = ARGV[1], ARGV[2], ARGV[7]
local ttl, now = tonumber(ARGV[3]), tonumber(ARGV[4])
local maxEntries, maxBytes = tonumber(ARGV[5]), tonumber(ARGV[6])
local size = string.len(value)
if size > maxBytes then return -1 end
local function drop(m)
  redis.call('DEL', prefix .. m)
  local s = redis.call('HGET', KEYS[3], m)
  if s then
    redis.call('DECRBY', KEYS[4], s)
    redis.call('HDEL', KEYS[3], m)
  end
  redis.call('ZREM', KEYS[2], m)
end
if redis.call('ZSCORE', KEYS[2], member) then drop(member) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 256)) do drop(m) end
redis.call('SET', KEYS[1], value, 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, member)
redis.call('HSET', KEYS[3], member, size)
local total = redis.call('INCRBY', KEYS[4], size)
local count = redis.call('ZCARD', KEYS[2])
local evicted = 0
while count > maxEntries or total > maxBytes do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then break end
  drop(oldest)
  evicted = evicted + 1
  count = count - 1
  total = tonumber(redis.call('GET', KEYS[4]) or '0')
end
for i = 2, 4 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return evicted
`;

/** Removes every entry of a tenant. KEYS: index, sizes, total. ARGV: entry key prefix. Returns the count. */
const PURGE_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, m in ipairs(members) do redis.call('DEL', ARGV[1] .. m) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return #members
`;

/**
 * The exact response cache in Redis. Every key of a tenant carries the tenant in a hash tag
 * (`{tenant}`), so a tenant's keys share one cluster slot and its scripts stay atomic. Layout under
 * `<prefix>:rc:{<tenant>}`: `:e:<key>` the entry (with its TTL), `:idx` the index, `:sz` sizes,
 * `:bytes` their sum.
 */
export class ResponseCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private base(tenantId: string): string {
    return `${this.prefix}:rc:{${tenantId}}`;
  }

  async get(tenantId: string, key: string): Promise<CacheEntry | undefined> {
    const raw = await this.redis.get(`${this.base(tenantId)}:e:${key}`);
    return raw === null ? undefined : decodeEntry(raw);
  }

  /** Stores the entry; resolves to whether it was stored (an entry above the byte cap is not). */
  async put(tenantId: string, key: string, entry: CacheEntry, limits: CacheLimits, now = Date.now()): Promise<{ stored: boolean; evicted: number }> {
    const base = this.base(tenantId);
    const result = (await this.redis.eval(
      PUT_SCRIPT,
      4,
      `${base}:e:${key}`,
      `${base}:idx`,
      `${base}:sz`,
      `${base}:bytes`,
      key,
      encodeEntry(entry),
      String(limits.ttlSeconds * 1_000),
      String(now),
      String(limits.maxEntries),
      String(limits.maxBytes),
      `${base}:e:`,
    )) as number;
    return result < 0 ? { stored: false, evicted: 0 } : { stored: true, evicted: result };
  }

  /** Removes every entry of the tenant; resolves to how many there were. */
  async purgeTenant(tenantId: string): Promise<number> {
    const base = this.base(tenantId);
    return (await this.redis.eval(PURGE_SCRIPT, 3, `${base}:idx`, `${base}:sz`, `${base}:bytes`, `${base}:e:`)) as number;
  }

  /** Entries and bytes the tenant holds now (admin, tests). */
  async usage(tenantId: string): Promise<{ entries: number; bytes: number }> {
    const base = this.base(tenantId);
    const [entries, bytes] = await Promise.all([this.redis.zcard(`${base}:idx`), this.redis.get(`${base}:bytes`)]);
    return { entries, bytes: Number(bytes ?? 0) };
  }
}
