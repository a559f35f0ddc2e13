import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { PrismaService } from '@conduit/db';
import { ResponseCacheStore, RetrievalCacheStore, SemanticCacheStore } from '@conduit/response-cache';
import { ADMIN_SETTINGS, AdminSettings } from './admin.constants';

/**
 * The response cache as the admin API sees it (purges, user erasure): the entries on the Redis the
 * orchestrators cache in — `RESPONSE_CACHE_REDIS_URL` when they have their own, else the
 * service's connection — under the deployment's key prefix (`QUEUE_PREFIX`, as they use it), and
 * the semantic cache's vectors (table `response_cache_vectors` in the service's database). A purge
 * removes both; vectors first, so a vector never points to an entry that a purge left behind.
 */
@Injectable()
export class ResponseCacheAdmin implements OnApplicationShutdown {
  private readonly store: ResponseCacheStore;
  private readonly retrievals: RetrievalCacheStore;
  private readonly vectors: SemanticCacheStore;
  private readonly own: Redis | undefined;

  constructor(
    @Inject(REDIS_CONNECTION) shared: Redis,
    @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions,
    @Inject(ADMIN_SETTINGS) settings: AdminSettings,
    prisma: PrismaService,
  ) {
    this.own = settings.responseCacheRedisUrl
      ? new Redis(settings.responseCacheRedisUrl, { connectionName: 'response-cache-admin', maxRetriesPerRequest: 2, lazyConnect: true })
      : undefined;
    this.store = new ResponseCacheStore(this.own ?? shared, queue.prefix);
    this.retrievals = new RetrievalCacheStore(this.own ?? shared, queue.prefix);
    this.vectors = new SemanticCacheStore(prisma.pg);
  }

  /** Entries and bytes the tenant holds. */
  usage(tenantId: string): Promise<{ entries: number; bytes: number }> {
    return this.store.usage(tenantId);
  }

  /** Every entry of the tenant (its retrieval cache too); resolves to how many response cache entries there were. */
  async purgeTenant(tenantId: string): Promise<number> {
    await this.vectors.purgeTenant(tenantId);
    await this.retrievals.purgeTenant(tenantId);
    return this.store.purgeTenant(tenantId);
  }

  /** One entry, by the key a chat answer named (`x-conduit-cache-key`); 0 when it is not there. */
  async purgeKey(tenantId: string, key: string): Promise<number> {
    await this.vectors.purgeKeys(tenantId, [key]);
    return this.store.purgeKeys(tenantId, [key]);
  }

  /**
   * Every entry the user's requests created (per-user scope or not), and the retrieval cache's
   * entries of their private collections; resolves to how many response cache entries there were.
   */
  async purgeUser(tenantId: string, userId: string): Promise<number> {
    await this.vectors.purgeUser(tenantId, userId);
    await this.retrievals.purgeUser(tenantId, userId);
    return this.store.purgeUser(tenantId, userId);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.own?.status === 'ready') await this.own.quit().catch(() => this.own?.disconnect());
    else this.own?.disconnect();
  }
}
