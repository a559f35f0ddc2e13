import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { UsageEventProducer } from '@conduit/budget';
import { createRedisConnection } from '@conduit/queue';
import { EMBEDDINGS_CACHE_REDIS, GATEWAY_EMBEDDINGS_SETTINGS, GatewayEmbeddingsSettings } from './embeddings.constants';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';

@Injectable()
class EmbeddingsCacheLifecycle implements OnApplicationShutdown {
  constructor(@Optional() @Inject(EMBEDDINGS_CACHE_REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

/**
 * `POST /v1/embeddings`. Needs the service core (Prisma, the job producer for usage events), the
 * budget module with pricing (the price book) and `usage`, the app's UsageModule (admission).
 * The cache has its own Redis connection that fails fast: a cache outage costs a provider call,
 * never a hung request.
 */
@Module({})
export class EmbeddingsModule {
  static register(settings: GatewayEmbeddingsSettings, usage: DynamicModule): DynamicModule {
    return {
      module: EmbeddingsModule,
      imports: [usage],
      controllers: [EmbeddingsController],
      providers: [
        { provide: GATEWAY_EMBEDDINGS_SETTINGS, useValue: settings },
        {
          provide: EMBEDDINGS_CACHE_REDIS,
          useFactory: () =>
            settings.cacheTtlSeconds > 0 && settings.models.some((model) => model.cache)
              ? createRedisConnection(settings.redis.url, {
                  connectionName: 'conduit-embeddings-cache',
                  maxRetriesPerRequest: 1,
                  commandTimeout: 1_000,
                })
              : null,
        },
        EmbeddingsCacheLifecycle,
        UsageEventProducer,
        EmbeddingsService,
      ],
    };
  }
}
