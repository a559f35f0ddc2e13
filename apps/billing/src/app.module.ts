import { DynamicModule, Module } from '@nestjs/common';
import { QueueModule } from '@conduit/queue';
import { ServiceCoreModule } from '@conduit/runtime';
import type { BillingConfig } from './config/billing.config';
import { UsageRecordHandler } from './usage/usage-record.handler';

@Module({})
export class AppModule {
  static register(config: BillingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'billing', settings: config }),
        QueueModule.forWorker([UsageRecordHandler], { concurrency: { usage: 16 } }),
      ],
    };
  }
}
