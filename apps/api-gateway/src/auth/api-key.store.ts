import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PolicyCache } from '@conduit/policies';
import { InvalidationChannel, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { ApiKeyRegistry, authChannel, decodeAuthChange, EndUserRecord, UserStore } from '@conduit/tenancy';
import type { Tier } from '@conduit/db';
import type { Principal } from './principal';

/** A cache entry is a safety net for a missed announcement only: changes are heard within a second. */
const CACHE_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;
const TOUCH_INTERVAL_MS = 60_000;

/** What a key hash resolves to: a principal, a refusal of a known key, or nothing (unknown, revoked or expired). */
export type KeyResolution = { principal: KeyPrincipal } | { refused: 'tenant_suspended' | 'user_suspended'; principal: KeyPrincipal } | null;

/** The principal of an API key (a JWT caller's has no key). */
export type KeyPrincipal = Principal & { apiKeyId: string };

/**
 * Resolves a key hash to its principal, from process memory. Every change to a key, its user or
 * its tenant (revocation, expiry, scopes, suspension, tier) is announced on
 * `<QUEUE_PREFIX>:auth:changed` by the tenancy stores, and every gateway drops the entries it
 * names as soon as it hears it: a revoked key is refused on every replica within the time the
 * announcement takes. A miss reads Postgres once however many requests ask at once; unknown keys
 * are cached too, so a flood of one bad key cannot reach the database. The TTL bounds an entry's
 * life should an announcement be missed (after a lost subscription everything is dropped).
 */
@Injectable()
export class ApiKeyStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyStore.name);
  private readonly cache = new PolicyCache<KeyResolution>(CACHE_TTL_MS, MAX_ENTRIES);
  private readonly endUsers = new PolicyCache<EndUserRecord>(CACHE_TTL_MS, MAX_ENTRIES);
  private readonly touched = new Map<string, number>();
  private readonly announcements: InvalidationChannel;

  constructor(
    private readonly registry: ApiKeyRegistry,
    private readonly users: UserStore,
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions,
  ) {
    this.announcements = new InvalidationChannel(redis, authChannel(queue.prefix));
  }

  onModuleInit(): void {
    this.announcements.listen({ onMessage: (message) => this.onChange(message), onResubscribed: () => this.invalidateAll() }, 'conduit-auth');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.announcements.close();
  }

  async resolve(hash: string): Promise<KeyResolution> {
    const resolution = await this.cache.get(hash, () => this.load(hash));
    if (resolution) this.touch(resolution.principal.apiKeyId);
    return resolution;
  }

  /**
   * The end user `externalId` of the tenant (created with `tier` on first sight by the users'
   * store), with their and their tenant's suspension: cached like keys, and dropped on the same
   * announcements, so suspending an end user or their tenant takes effect as fast as revoking a key.
   */
  endUser(tenantId: string, externalId: string, tier: Tier): Promise<EndUserRecord> {
    return this.endUsers.get(`${tenantId}\u0000${externalId}`, () => this.users.endUser(tenantId, externalId, tier));
  }

  /** The principal of a usable key (not suspended), or null. */
  async principalFor(hash: string): Promise<Principal | null> {
    const resolution = await this.resolve(hash);
    return resolution && !('refused' in resolution) ? resolution.principal : null;
  }

  private onChange(message: string): void {
    const change = decodeAuthChange(message);
    if (!change) return;
    // A user or tenant change (rare: an admin's action) drops every entry, loads in flight included,
    // since one of them may have read the row before the change.
    if (change.kind === 'key') this.cache.invalidate(change.hash);
    else this.invalidateAll();
  }

  private invalidateAll(): void {
    this.cache.invalidateAll();
    this.endUsers.invalidateAll();
  }

  private async load(hash: string): Promise<KeyResolution> {
    const row = await this.registry.authRow(hash);
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
    const principal: KeyPrincipal = {
      tenantId: row.tenantId,
      userId: row.userId,
      apiKeyId: row.id,
      tier: row.user.tier,
      tenantTier: row.tenant.tier,
      role: row.user.role,
      scopes: row.scopes,
      allowedModels: row.allowedModels,
      keyRpm: row.rpm,
      keyTpm: row.tpm,
    };
    if (row.tenant.suspendedAt) return { refused: 'tenant_suspended', principal };
    if (row.user.suspendedAt) return { refused: 'user_suspended', principal };
    return { principal };
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(apiKeyId: string): void {
    const now = Date.now();
    const last = this.touched.get(apiKeyId) ?? 0;
    if (now - last < TOUCH_INTERVAL_MS) return;
    if (this.touched.size >= MAX_ENTRIES) this.touched.clear();
    this.touched.set(apiKeyId, now);
    this.registry.touch(apiKeyId, new Date(now)).catch((error: unknown) => this.logger.warn({ err: error, api_key_id: apiKeyId }, 'could not record key use'));
  }
}
