import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@conduit/config';
import { PrismaService } from '@conduit/db';
import { JobProducer } from '@conduit/queue';
import { AppModule } from '../app.module';
import { BillingConfig, billingConfigSchema } from '../config/billing.config';

export interface BillingTestApp {
  app: INestApplicationContext;
  prisma: PrismaService;
  producer: JobProducer;
  config: BillingConfig;
  close(): Promise<void>;
}

/**
 * The whole billing service in process (no HTTP listener): Prisma on DATABASE_URL, Redis on
 * REDIS_URL with a random queue prefix, its queue workers (usage events, webhook delivery) running.
 */
export async function startBillingTestApp(env: Record<string, string> = {}): Promise<BillingTestApp> {
  const config = loadConfig(billingConfigSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: process.env['DATABASE_URL'],
    REDIS_URL: process.env['REDIS_URL'],
    DATABASE_POOL_SIZE: '4',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    WEBHOOK_RECONCILE_INTERVAL_MS: '0',
    ...env,
  });
  const app = await NestFactory.createApplicationContext(AppModule.register(config), { logger: false, abortOnError: false });
  await app.init();
  const producer = app.get(JobProducer);
  return {
    app,
    prisma: app.get(PrismaService),
    producer,
    config,
    close: async () => {
      await Promise.all(['webhooks', 'usage'].map((queue) => producer.queue(queue as 'webhooks').obliterate({ force: true }).catch(() => undefined)));
      await app.close();
    },
  };
}
