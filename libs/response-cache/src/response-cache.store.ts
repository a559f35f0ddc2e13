import type { Redis } from 'ioredis';
import { CacheEntry, decodeEntry, encodeEntry } from './cache-entry';

/** A tenant's limits, from its policy. */
export interface CacheLimits {
  ttlSeconds: number;
  maxEntries: number;
  maxBytes: number;
}

/**
 * Lua shared by the scripts: drops one member (entry, index, size, owner, the owner's set). The
 * tenant's keys: KEYS[1] index, KEYS[2] sizes, KEYS[3] total, KEYS[4] owners; ARGV[1] the entry
 * key prefix, ARGV[2] the per-user set prefix. Every key carries the tenant's hash tag.
 */
const DROP = `
local function drop(m)
  redis.call('DEL', ARGV[1] .. m)
  local s = redis.call('HGET', KEYS[2], m)
  if s then
    redis.call('DECRBY', KEYS[3], s)
    redis.call('HDEL', KEYS[2], m)
  end
  redis.call('ZREM', KEYS[1], m)
  local u = redis.call('HGET', KEYS[4], m)
  if u then
    redis.call('SREM', ARGV[2] .. u, m)
    redis.call('HDEL', KEYS[4], m)
  end
end
`;

/**
 * Stores one entry and keeps the tenant within its caps, atomically. The index (sorted set) holds
 * every live key of the tenant scored by its expiry; sizes sit in a hash and their sum in a
 * counter; the owners hash names the user whose request created each entry, and a set per user
 * lists them (erasure). Expired members are dropped first, then the entries closest to expiry
 * (the oldest, with one TTL) until the tenant is within both caps. An entry larger than the byte
 * cap is not stored. ARGV (after the two prefixes): member, value, ttl ms, now ms, max entries,
 * max bytes, user ('' for none). Returns how many entries were evicted, or -1 when not stored.
 */
const PUT_SCRIPT = `${DROP}
local member, value, user = ARGV[3], ARGV[4], ARGV[9]
local ttl, now = tonumber(ARGV[5]), tonumber(ARGV[6])
local maxEntries, maxBytes = tonumber(ARGV[7]), tonumber(ARGV[8])
local size = string.len(value)
if size > maxBytes then return -1 end
if redis.call('ZSCORE', KEYS[1], member) then drop(member) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 256)) do drop(m) end
redis.call('SET', ARGV[1] .. member, value, 'PX', ttl)
redis.call('ZADD', KEYS[1], now + ttl, member)
redis.call('HSET', KEYS[2], member, size)
local total = redis.call('INCRBY', KEYS[3], size)
if user ~= '' then
  redis.call('HSET', KEYS[4], member, user)
  redis.call('SADD', ARGV[2] .. user, member)
  if redis.call('PTTL', ARGV[2] .. user) < ttl then redis.call('PEXPIRE', ARGV[2] .. user, ttl) end
end
local count = redis.call('ZCARD', KEYS[1])
local evicted = 0
while count > maxEntries or total > maxBytes do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not oldest then break end
  drop(oldest)
  evicted = evicted + 1
  count = count - 1
  total = tonumber(redis.call('GET', KEYS[3]) or '0')
end
for i = 1, 4 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return evicted
`;

/** Removes every entry of a tenant. Returns the count. */
const PURGE_TENANT_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, m in ipairs(members) do redis.call('DEL', ARGV[1] .. m) end
for _, u in ipairs(redis.call('HVALS', KEYS[4])) do redis.call('DEL', ARGV[2] .. u) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return #members
`;

/** Removes the entries listed: ARGV[3..]. Returns how many were there. */
const PURGE_KEYS_SCRIPT = `${DROP}
local removed = 0
for i = 3, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    drop(ARGV[i])
    removed = removed + 1
  end
end
return removed
`;

/** Removes every entry a user's requests created (ARGV[3]: the user). Returns the count. */
const PURGE_USER_SCRIPT = `${DROP}
local set = ARGV[2] .. ARGV[3]
local members = redis.call('SMEMBERS', set)
local removed = 0
for _, m in ipairs(members) do
  if redis.call('ZSCORE', KEYS[1], m) then removed = removed + 1 end
  drop(m)
end
redis.call('DEL', set)
return removed
`;

/** Who created an entry (erasure removes what a user's requests put in the cache). */
export interface CacheEntryOwner {
  userId: string | null;
}

/**
 * The exact response cache in Redis. Every key of a tenant carries the tenant in a hash tag
 * (`{tenant}`), so a tenant's keys share one cluster slot and its scripts stay atomic. Layout under
 * `<prefix>:rc:{<tenant>}`: `:e:<key>` the entry (with its TTL), `:idx` the index, `:sz` sizes,
 * `:bytes` their sum, `:own` the user each entry came from, `:u:<user>` a user's entries.
 */
export class ResponseCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private base(tenantId: string): string {
    return `${this.prefix}:rc:{${tenantId}}`;
  }

  /** The four bookkeeping keys and the two prefixes every script takes. */
  private layout(tenantId: string): { keys: string[]; prefixes: string[] } {
    const base = this.base(tenantId);
    return { keys: [`${base}:idx`, `${base}:sz`, `${base}:bytes`, `${base}:own`], prefixes: [`${base}:e:`, `${base}:u:`] };
  }

  async get(tenantId: string, key: string): Promise<CacheEntry | undefined> {
    const raw = await this.redis.get(`${this.base(tenantId)}:e:${key}`);
    return raw === null ? undefined : decodeEntry(raw);
  }

  /**
   * Stores the entry for `ttlSeconds` (the time it is kept, which with stale serving is longer
   * than the time it is fresh: see `CacheEntry.expires_at`); resolves to whether it was stored
   * (an entry above the byte cap is not) and how many entries were evicted to make room.
   */
  async put(
    tenantId: string,
    key: string,
    entry: CacheEntry,
    limits: CacheLimits,
    now = Date.now(),
    owner: CacheEntryOwner = { userId: null },
  ): Promise<{ stored: boolean; evicted: number }> {
    const { keys, prefixes } = this.layout(tenantId);
    const result = (await this.redis.eval(
      PUT_SCRIPT,
      keys.length,
      ...keys,
      ...prefixes,
      key,
      encodeEntry(entry),
      String(limits.ttlSeconds * 1_000),
      String(now),
      String(limits.maxEntries),
      String(limits.maxBytes),
      owner.userId ?? '',
    )) as number;
    return result < 0 ? { stored: false, evicted: 0 } : { stored: true, evicted: result };
  }

  /** Removes every entry of the tenant; resolves to how many there were. */
  async purgeTenant(tenantId: string): Promise<number> {
    const { keys, prefixes } = this.layout(tenantId);
    return (await this.redis.eval(PURGE_TENANT_SCRIPT, keys.length, ...keys, ...prefixes)) as number;
  }

  /** Removes these entries of the tenant; resolves to how many of them there were. */
  async purgeKeys(tenantId: string, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const layout = this.layout(tenantId);
    return (await this.redis.eval(PURGE_KEYS_SCRIPT, layout.keys.length, ...layout.keys, ...layout.prefixes, ...keys)) as number;
  }

  /**
   * Removes every entry that a user's requests created: with a per-user scope these are all of
   * the user's entries; with a tenant scope, the answers to their questions that others would
   * have been served. Resolves to how many there were.
   */
  async purgeUser(tenantId: string, userId: string): Promise<number> {
    const { keys, prefixes } = this.layout(tenantId);
    return (await this.redis.eval(PURGE_USER_SCRIPT, keys.length, ...keys, ...prefixes, userId)) as number;
  }

  /** Entries and bytes the tenant holds now (admin, tests). */
  async usage(tenantId: string): Promise<{ entries: number; bytes: number }> {
    const base = this.base(tenantId);
    const [entries, bytes] = await Promise.all([this.redis.zcard(`${base}:idx`), this.redis.get(`${base}:bytes`)]);
    return { entries, bytes: Number(bytes ?? 0) };
  }
}
