import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PrismaService } from '@conduit/db';
import { withTimeout } from '@conduit/observability';
import { REDIS_CONNECTION } from '@conduit/queue';
import type { Principal } from './principal';

const LOCAL_TTL_MS = 5_000;
const LOCAL_MAX_ENTRIES = 10_000;
const REDIS_TTL_S = 60;
const NEGATIVE_TTL_S = 10;
const TOUCH_INTERVAL_MS = 60_000;
const NONE = '-';
const REDIS_TIMEOUT_MS = 250;

interface LocalEntry {
  principal: Principal | null;
  expires: number;
}

/**
 * Resolves a key hash to its principal: a few seconds in process, a minute in Redis (shared by
 * every gateway replica), then Postgres. Unknown keys are cached briefly too, so a flood of bad
 * keys cannot reach the database. A revoked key stops working within the Redis TTL.
 */
@Injectable()
export class ApiKeyStore {
  private readonly logger = new Logger(ApiKeyStore.name);
  private readonly local = new Map<string, LocalEntry>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  async principalFor(hash: string): Promise<Principal | null> {
    const now = Date.now();
    const cached = this.local.get(hash);
    if (cached && cached.expires > now) return cached.principal;

    const key = `auth:key:${hash}`;
    let principal: Principal | null | undefined;
    // Redis is a cache here: when it does not answer promptly, authenticate from Postgres.
    const shared = await withTimeout(this.redis.get(key), REDIS_TIMEOUT_MS, 'redis').catch(() => undefined);
    if (typeof shared === 'string') {
      principal = shared === NONE ? null : (JSON.parse(shared) as Principal);
    } else {
      principal = await this.loadFromDatabase(hash);
      if (shared === null) {
        await this.redis.set(key, principal ? JSON.stringify(principal) : NONE, 'EX', principal ? REDIS_TTL_S : NEGATIVE_TTL_S);
      }
    }
    this.remember(hash, principal, now);
    if (principal?.apiKeyId) this.touch(principal.apiKeyId, now);
    return principal;
  }

  /** Drops a key from every cache layer (after revocation). */
  async forget(hash: string): Promise<void> {
    this.local.delete(hash);
    await this.redis.del(`auth:key:${hash}`);
  }

  private async loadFromDatabase(hash: string): Promise<Principal | null> {
    const row = await this.prisma.apiKey.findUnique({
      where: { keyHash: hash },
      select: {
        id: true,
        tenantId: true,
        userId: true,
        revokedAt: true,
        expiresAt: true,
        scopes: true,
        user: { select: { tier: true, role: true } },
        tenant: { select: { tier: true } },
      },
    });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
    return { tenantId: row.tenantId, userId: row.userId, apiKeyId: row.id, tier: row.user.tier, tenantTier: row.tenant.tier, role: row.user.role, scopes: row.scopes };
  }

  private remember(hash: string, principal: Principal | null, now: number): void {
    if (this.local.size >= LOCAL_MAX_ENTRIES) this.local.clear();
    this.local.set(hash, { principal, expires: now + LOCAL_TTL_MS });
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(apiKeyId: string, now: number): void {
    const last = this.touched.get(apiKeyId) ?? 0;
    if (now - last < TOUCH_INTERVAL_MS) return;
    if (this.touched.size >= LOCAL_MAX_ENTRIES) this.touched.clear();
    this.touched.set(apiKeyId, now);
    this.prisma.apiKey
      .update({ where: { id: apiKeyId }, data: { lastUsedAt: new Date(now) } })
      .catch((error: unknown) => this.logger.warn({ err: error, api_key_id: apiKeyId }, 'could not record key use'));
  }
}
