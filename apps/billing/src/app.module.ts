import { DynamicModule, Module } from '@nestjs/common';
import { BudgetModule } from '@conduit/budget';
import { QueueModule } from '@conduit/queue';
import { ServiceCoreModule } from '@conduit/runtime';
import type { BillingConfig } from './config/billing.config';
import { LedgerModule } from './ledger/ledger.module';
import { UsageRecordHandler } from './usage/usage-record.handler';

@Module({})
export class AppModule {
  static register(config: BillingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'billing', settings: config }),
        BudgetModule.forRoot(config.budget),
        LedgerModule.register(config.alerts),
        QueueModule.forWorker([UsageRecordHandler], {
          concurrency: { usage: config.usage.concurrency },
          lockDurationMs: config.usage.lockDurationMs,
          stalledIntervalMs: Math.min(30_000, config.usage.lockDurationMs),
        }),
      ],
    };
  }
}
