import { DynamicModule, Module, Type } from '@nestjs/common';
import type { CoreSettings } from '@conduit/config';
import { DbModule, PostgresReadiness } from '@conduit/db';
import { createLogScrubber } from '@conduit/guardrails';
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
 * What every Postgres+Redis service has: JSON logs (scrubbed of personal data and secrets), the Prisma pool, the Redis connection and
 * job producer, /health, /health/ready and /metrics.
 */
@Module({})
export class ServiceCoreModule {
  static forRoot(options: ServiceCoreOptions): DynamicModule {
    const { settings } = options;
    return {
      module: ServiceCoreModule,
      imports: [
        // Every log line is scrubbed of secrets, and of personal data unless LOG_SCRUB_PII=false.
        LoggingModule.forRoot({ service: options.service, level: settings.logLevel, scrub: createLogScrubber(settings.logScrubPii === false ? { types: [] } : {}) }),
        DbModule.forRoot({ url: settings.database.url, poolSize: settings.database.poolSize }),
        QueueModule.forRoot({ redisUrl: settings.redis.url, prefix: settings.redis.prefix, topology: settings.redis.topology }),
        ...(options.readinessImports ?? []),
        HealthModule.forRoot([PostgresReadiness, RedisReadiness, ...(options.readiness ?? [])]),
      ],
      controllers: [MetricsController],
    };
  }
}
