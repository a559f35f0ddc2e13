import { DynamicModule, Module } from '@nestjs/common';
import { BudgetModule, BudgetModuleOptions } from '@conduit/budget';
import { AdmissionService } from './admission.service';
import { BudgetViewService } from './budget-view.service';
import { PriceQuoteClient } from './price-quote.client';
import { GATEWAY_USAGE_SETTINGS, GatewayUsageSettings } from './usage.constants';
import { UsageController } from './usage.controller';
import { UsageReportService } from './usage-report.service';

/**
 * Rate limits, budget reservations ({@link AdmissionService}: import this module where a feature
 * admits LLM calls), and the usage and budget API.
 */
@Module({})
export class UsageModule {
  static register(budget: BudgetModuleOptions, settings: GatewayUsageSettings): DynamicModule {
    return {
      module: UsageModule,
      imports: [BudgetModule.forRoot(budget)],
      controllers: [UsageController],
      providers: [
        { provide: GATEWAY_USAGE_SETTINGS, useValue: settings },
        AdmissionService,
        PriceQuoteClient,
        UsageReportService,
        BudgetViewService,
      ],
      // UsageReportService: the admin API's usage route.
      exports: [AdmissionService, UsageReportService],
    };
  }
}
