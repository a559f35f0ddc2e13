import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@conduit/config';
import { PrismaService } from '@conduit/db';
import { parseLlmConfig } from '@conduit/llm';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { JobProducer } from '@conduit/queue';
import { AppModule } from '../app.module';
import { EvalWorkerConfig, evalWorkerConfigSchema } from '../config/eval-worker.config';

export interface EvalWorkerTestApp {
  app: INestApplicationContext;
  mock: RunningMockLlm;
  prisma: PrismaService;
  producer: JobProducer;
  config: EvalWorkerConfig;
  close(): Promise<void>;
}

/**
 * The whole eval worker in process: Prisma on DATABASE_URL, Redis on REDIS_URL with a random queue
 * prefix, its `eval` consumer running, and the judges' `default` route pointed at an in-process
 * mock upstream (judge mode) without retries. The periodic regression check is off (tests call it).
 */
export async function startEvalWorkerTestApp(env: Record<string, string> = {}): Promise<EvalWorkerTestApp> {
  const mock = await startMockLlmServer();
  const config = loadConfig(evalWorkerConfigSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: process.env['DATABASE_URL'],
    REDIS_URL: process.env['REDIS_URL'],
    DATABASE_POOL_SIZE: '4',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    EVAL_REGRESSION_INTERVAL_MS: '0',
    ...env,
  });
  const llm = parseLlmConfig({
    providers: [{ name: 'openai', kind: 'openai', apiKey: 'mock', baseURL: `${mock.url}/v1`, maxRetries: 0, timeoutMs: 20_000 }],
    routes: { default: [{ provider: 'openai', model: 'gpt-4.1-mini' }] },
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10 },
    breaker: { minRequests: 10_000 },
  });
  const app = await NestFactory.createApplicationContext(AppModule.register(config, llm), { logger: false, abortOnError: false });
  await app.init();
  const producer = app.get(JobProducer);
  return {
    app,
    mock,
    prisma: app.get(PrismaService),
    producer,
    config,
    close: async () => {
      await Promise.all(['eval', 'usage', 'webhooks'].map((queue) => producer.queue(queue as 'eval').obliterate({ force: true }).catch(() => undefined)));
      await app.close();
      await mock.close();
    },
  };
}
