import { DynamicModule, Module } from '@nestjs/common';
import { BudgetModule } from '@conduit/budget';
import { secretKeyringOf } from '@conduit/config';
import { QueueModule } from '@conduit/queue';
import { ServiceCoreModule } from '@conduit/runtime';
import { SecretKeyringModule } from '@conduit/webhooks';
import type { BillingConfig } from './config/billing.config';
import { LedgerModule } from './ledger/ledger.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WORKER_HANDLERS } from './worker.handlers';

@Module({})
export class AppModule {
  static register(config: BillingConfig): DynamicModule {
    // Webhook delivery runs here, away from the latency-sensitive chat path: like usage events,
    // it is queue work that may take its time (receivers can be slow; retries span hours).
    const webhooks = WebhooksModule.register(config.webhooks);
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'billing', settings: config }),
        SecretKeyringModule.forRoot(secretKeyringOf(config.secrets)),
        BudgetModule.forRoot(config.budget),
        LedgerModule.register(config.alerts),
        webhooks,
        QueueModule.forWorker(WORKER_HANDLERS, {
          imports: [webhooks],
          concurrency: { usage: config.usage.concurrency, webhooks: config.webhooks.concurrency },
          lockDurationMs: config.usage.lockDurationMs,
          stalledIntervalMs: Math.min(30_000, config.usage.lockDurationMs),
        }),
      ],
    };
  }
}
