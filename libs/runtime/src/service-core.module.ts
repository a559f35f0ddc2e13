import { DynamicModule, Module, Type } from '@nestjs/common';
import type { CoreSettings } from '@conduit/config';
import { DbModule, PostgresReadiness } from '@conduit/db';
import { HealthModule, LoggingModule, MetricsController, ReadinessCheck } from '@conduit/observability';
import { QueueModule, RedisReadiness } from '@conduit/queue';

export interface ServiceCoreOptions {
  service: string;
  settings: CoreSettings;
  /** Readiness checks beyond Postgres and Redis (e.g. the vector store). */
  readiness?: Type<ReadinessCheck>[];
  readinessImports?: DynamicModule[];
}

/**
 * What every Postgres+Redis service has: JSON logs, the Prisma pool, the Redis connection and
 * job producer, /health, /health/ready and /metrics.
 */
@Module({})
export class ServiceCoreModule {
  static forRoot(options: ServiceCoreOptions): DynamicModule {
    const { settings } = options;
    return {
      module: ServiceCoreModule,
      imports: [
        LoggingModule.forRoot({ service: options.service, level: settings.logLevel }),
        DbModule.forRoot({ url: settings.database.url, poolSize: settings.database.poolSize }),
        QueueModule.forRoot({ redisUrl: settings.redis.url, prefix: settings.redis.prefix }),
        ...(options.readinessImports ?? []),
        HealthModule.forRoot([PostgresReadiness, RedisReadiness, ...(options.readiness ?? [])]),
      ],
      controllers: [MetricsController],
    };
  }
}
