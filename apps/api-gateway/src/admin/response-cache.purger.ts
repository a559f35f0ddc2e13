import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { ResponseCacheStore } from '@conduit/response-cache';
import { ADMIN_SETTINGS, AdminSettings } from './admin.constants';

/**
 * The response cache as user erasure needs it: where the orchestrator keeps it
 * (`RESPONSE_CACHE_REDIS_URL`, default the app's `REDIS_URL` connection; keys under
 * `QUEUE_PREFIX`). Entries are keyed by a hash of the request and not indexed by user, so erasing
 * a user purges the tenant's entries: any of them may hold the user's prompt or answer.
 */
@Injectable()
export class ResponseCachePurger implements OnApplicationShutdown {
  private readonly own?: Redis;
  private readonly store: ResponseCacheStore;

  constructor(
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions,
    @Inject(ADMIN_SETTINGS) settings: AdminSettings,
  ) {
    if (settings.responseCacheRedisUrl) this.own = new Redis(settings.responseCacheRedisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.store = new ResponseCacheStore(this.own ?? redis, queue.prefix);
  }

  /** Removes every cached answer of the tenant; resolves to how many there were. */
  purgeTenant(tenantId: string): Promise<number> {
    return this.store.purgeTenant(tenantId);
  }

  onApplicationShutdown(): void {
    this.own?.disconnect();
  }
}
