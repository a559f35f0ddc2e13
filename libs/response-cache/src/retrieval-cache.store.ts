import type { Redis } from 'ioredis';

/**
 * Stores one entry and indexes it (tenant's index, and the user's for a private collection's
 * entry), each index a sorted set scored by expiry, pruned of expired members on the way.
 * KEYS: entry, tenant index, user index; ARGV: member, value, ttl ms, now ms, user ('' for none).
 */
const PUT_SCRIPT = `
local member, value, user = ARGV[1], ARGV[2], ARGV[5]
local ttl, now = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('SET', KEYS[1], value, 'PX', ttl)
local function index(k)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  redis.call('ZADD', k, now + ttl, member)
  if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
end
index(KEYS[2])
if user ~= '' then index(KEYS[3]) end
return 1
`;

/** Removes the entries a sorted set lists (KEYS[1]) and the set; ARGV[1] the entry key prefix, KEYS[2] the tenant index. */
const PURGE_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, m in ipairs(members) do
  redis.call('DEL', ARGV[1] .. m)
  redis.call('ZREM', KEYS[2], m)
end
redis.call('DEL', KEYS[1])
return #members
`;

/**
 * The retrieval cache (policy `cache.retrieval`): the chunks one retrieval returned, under a key
 * that the caller derives from everything the result depends on (user for a private collection,
 * collection and its content version, embedder, query, top_k, threshold, document filter). Every
 * key carries the tenant in a hash tag, under `<prefix>:rr:{<tenant>}`: `:e:<key>` the entry (the
 * chunks as JSON, with the policy's TTL), `:idx` the tenant's keys and `:u:<user>` a user's
 * (entries of their private collections), both scored by expiry, for purges. A change to the
 * collection changes its version, so an old entry is never read again and simply expires.
 */
export class RetrievalCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private base(tenantId: string): string {
    return `${this.prefix}:rr:{${tenantId}}`;
  }

  /** The stored value, `undefined` on a miss. */
  async get(tenantId: string, key: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.base(tenantId)}:e:${key}`)) ?? undefined;
  }

  /** Stores the value for `ttlSeconds`; `userId` names the user of a private collection's entry (erasure). */
  async put(tenantId: string, key: string, value: string, ttlSeconds: number, userId: string | null = null, now = Date.now()): Promise<void> {
    const base = this.base(tenantId);
    await this.redis.eval(PUT_SCRIPT, 3, `${base}:e:${key}`, `${base}:idx`, `${base}:u:${userId ?? ''}`, key, value, String(ttlSeconds * 1_000), String(now), userId ?? '');
  }

  /** Removes every entry of the tenant; resolves to how many were indexed. */
  async purgeTenant(tenantId: string): Promise<number> {
    const base = this.base(tenantId);
    return (await this.redis.eval(PURGE_SCRIPT, 2, `${base}:idx`, `${base}:idx`, `${base}:e:`)) as number;
  }

  /** Removes the entries of the user's private collections; resolves to how many were indexed. */
  async purgeUser(tenantId: string, userId: string): Promise<number> {
    const base = this.base(tenantId);
    return (await this.redis.eval(PURGE_SCRIPT, 2, `${base}:u:${userId}`, `${base}:idx`, `${base}:e:`)) as number;
  }
}
