import { DynamicModule, ForwardReference, Global, Inject, Injectable, Module, OnApplicationShutdown, Type } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { JobHandler } from './job-handler';
import { handledJobOf } from './job-handler';
import { JobRegistryError, RegisteredHandler } from './job-registry';
import { JobProducer } from './job.producer';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from './queue.constants';
import { createRedisConnection, useRedisTopology } from './redis.connection';
import { RedisReadiness } from './redis.readiness';
import { WORKER_HANDLERS, WORKER_OPTIONS, WorkerHost, WorkerOptions } from './worker.host';

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class QueueModule {
  /**
   * Redis connection, producer and readiness check; import once per app (the service core does).
   * Global on purpose: it is the process's one Redis connection, which any module may produce on,
   * like the Prisma pool of `DbModule`. `forWorker` is not global: it consumes what the app lists.
   */
  static forRoot(options: QueueModuleOptions): DynamicModule {
    // Before any provider runs: the budget's connection, made elsewhere, follows it too.
    if (options.topology) useRedisTopology(options.topology);
    return {
      module: QueueModule,
      global: true,
      providers: [
        { provide: QUEUE_OPTIONS, useValue: options },
        {
          provide: REDIS_CONNECTION,
          useFactory: () => createRedisConnection(options.redisUrl, { connectionName: 'conduit' }),
        },
        RedisLifecycle,
        JobProducer,
        RedisReadiness,
      ],
      exports: [QUEUE_OPTIONS, REDIS_CONNECTION, JobProducer, RedisReadiness],
    };
  }

  /**
   * Consumes the queues of the given handlers; fails start-up if the registry is inconsistent.
   * `imports` are the modules whose exported providers the handlers inject (the worker module
   * instantiates the handlers, so their dependencies must be visible to it).
   */
  static forWorker(handlers: Type<JobHandler>[], options: WorkerModuleOptions = {}): DynamicModule {
    const { imports = [], ...worker } = options;
    return {
      module: WorkerQueueModule,
      imports,
      providers: [
        ...handlers,
        { provide: WORKER_OPTIONS, useValue: worker },
        {
          provide: WORKER_HANDLERS,
          inject: handlers,
          useFactory: (...instances: JobHandler[]): RegisteredHandler[] =>
            instances.map((handler) => {
              const job = handledJobOf(handler);
              if (!job) throw new JobRegistryError(`${handler.constructor.name} has no @HandlesJob(...) decorator`);
              return { job, handler };
            }),
        },
        WorkerHost,
      ],
    };
  }
}

export interface WorkerModuleOptions extends WorkerOptions {
  imports?: (Type | DynamicModule | Promise<DynamicModule> | ForwardReference)[];
}

@Module({})
class WorkerQueueModule {}
