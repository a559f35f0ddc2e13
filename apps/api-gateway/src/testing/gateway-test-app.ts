import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, ForwardReference, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { z } from 'zod';
import { coreSettings, loadConfig, serviceEnv } from '@conduit/config';
import { requestIdFor } from '@conduit/observability';
import { OpenAiErrorFilter, ServiceCoreModule } from '@conduit/runtime';
import { AuthModule } from '../auth/auth.module';
import { GATEWAY_ERROR_STATUS } from '../errors/error-status';

export type ModuleImport = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

export interface GatewayTestAppOptions {
  /** Log level of the app; default `TEST_LOG_LEVEL` or `error` (request logs stay quiet). */
  logLevel?: string;
  /** Redis key prefix of the queues; default a random `test-...` one so suites never share queues. */
  queuePrefix?: string;
  /** Hooks to add to the Fastify instance before routes are registered (e.g. the browser edge). */
  configureFastify?: (fastify: FastifyInstance) => void;
}

const testEnvSchema = z.object(serviceEnv(8080)).transform(coreSettings);

@Module({})
class GatewayTestRootModule {}

/**
 * An in-process api-gateway for integration tests: the service core (logging, Prisma on
 * DATABASE_URL, Redis on REDIS_URL, health, metrics), API-key auth as the global guard, the given
 * feature modules and the OpenAI error filter, initialised and ready for `app.inject(...)` without
 * listening on a port. Request ids work as in `bootstrapService`. Close it with `app.close()`.
 */
export async function createGatewayTestApp(
  extraModules: ModuleImport[] = [],
  options: GatewayTestAppOptions = {},
): Promise<NestFastifyApplication> {
  const settings = loadConfig(testEnvSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: process.env['DATABASE_URL'],
    REDIS_URL: process.env['REDIS_URL'],
    DATABASE_POOL_SIZE: '4',
    LOG_LEVEL: options.logLevel ?? process.env['TEST_LOG_LEVEL'] ?? 'error',
    QUEUE_PREFIX: options.queuePrefix ?? `test-${randomBytes(6).toString('hex')}`,
  });

  const adapter = new FastifyAdapter({
    bodyLimit: 1_048_576,
    genReqId: (request: IncomingMessage) => requestIdFor(request.headers['x-request-id']),
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    (request.raw as { id?: string }).id = request.id;
    reply.header('x-request-id', request.id);
    done();
  });
  options.configureFastify?.(fastify);

  const root: DynamicModule = {
    module: GatewayTestRootModule,
    imports: [ServiceCoreModule.forRoot({ service: 'api-gateway', settings }), AuthModule, ...extraModules],
  };
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new OpenAiErrorFilter(GATEWAY_ERROR_STATUS));
  await app.init();
  await fastify.ready();
  return app;
}
