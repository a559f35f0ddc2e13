import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@conduit/config';
import { PrismaService } from '@conduit/db';
import { LlmConfigInput, parseLlmConfig } from '@conduit/llm';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { JobProducer } from '@conduit/queue';
import { OpenAiErrorFilter } from '@conduit/runtime';
import { AppModule } from '../app.module';
import { OrchestratorConfig, orchestratorConfigSchema } from '../config/chat-orchestrator.config';
import { ORCHESTRATOR_ERROR_STATUS } from '../errors/error-status';

export interface OrchestratorTestApp {
  app: INestApplicationContext;
  mock: RunningMockLlm;
  prisma: PrismaService;
  producer: JobProducer;
  config: OrchestratorConfig;
  queuePrefix: string;
  /** Base URL of its HTTP API, when started with `{ http: true }`. */
  url?: string;
  /** The `INTERNAL_TOKEN` its internal routes require (a fresh one unless `env` gives one). */
  internalToken: string;
  close(): Promise<void>;
}

/**
 * The whole chat-orchestrator in process (no HTTP listener): Prisma on DATABASE_URL, Redis on
 * REDIS_URL with a random queue prefix, its queue workers running, and the LLM gateway pointed at
 * an in-process mock upstream. `default` is one Anthropic target and `cheap` one OpenAI target,
 * without retries, so a test decides exactly what each call does with mock fault rules. With
 * `http`, it also listens on a loopback port (Fastify, the app's error table), as in production;
 * its internal routes then require `internalToken`, as they always do.
 */
export async function startOrchestratorTestApp(
  env: Record<string, string> = {},
  llm: LlmConfigInput = {},
  options: { http?: boolean } = {},
): Promise<OrchestratorTestApp> {
  const mock = await startMockLlmServer();
  const queuePrefix = `test-${randomBytes(6).toString('hex')}`;
  const internalToken = env.INTERNAL_TOKEN ?? `test-${randomBytes(16).toString('hex')}`;
  const config = loadConfig(orchestratorConfigSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: process.env['DATABASE_URL'],
    REDIS_URL: process.env['REDIS_URL'],
    DATABASE_POOL_SIZE: '4',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    QUEUE_PREFIX: queuePrefix,
    JOBS_RECONCILE_INTERVAL_MS: '0',
    INTERNAL_TOKEN: internalToken,
    ...env,
  });
  const llmConfig = parseLlmConfig({
    providers: [
      { name: 'anthropic', kind: 'anthropic', apiKey: 'mock', baseURL: mock.url, maxRetries: 0, timeoutMs: 20_000 },
      { name: 'openai', kind: 'openai', apiKey: 'mock', baseURL: `${mock.url}/v1`, maxRetries: 0, timeoutMs: 20_000 },
    ],
    routes: { default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }], cheap: [{ provider: 'openai', model: 'gpt-4.1-mini' }] },
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10 },
    breaker: { minRequests: 10_000 },
    ...llm,
  });
  const module = AppModule.register(config, llmConfig);
  let app: INestApplicationContext;
  let url: string | undefined;
  if (options.http) {
    const server = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false, abortOnError: false });
    server.useGlobalFilters(new OpenAiErrorFilter(ORCHESTRATOR_ERROR_STATUS));
    await server.listen(0, '127.0.0.1');
    url = await server.getUrl();
    app = server;
  } else {
    app = await NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
    await app.init();
  }
  const producer = app.get(JobProducer);
  return {
    app,
    mock,
    prisma: app.get(PrismaService),
    producer,
    config,
    queuePrefix,
    url,
    internalToken,
    close: async () => {
      await Promise.all(['jobs', 'webhooks', 'usage', 'eval', 'memory', 'summaries'].map((queue) => producer.queue(queue as 'jobs').obliterate({ force: true }).catch(() => undefined)));
      await app.close();
      await mock.close();
    },
  };
}
