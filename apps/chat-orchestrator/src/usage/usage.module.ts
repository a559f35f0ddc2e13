import { DynamicModule, Module } from '@nestjs/common';
import { BudgetModule, BudgetModuleOptions } from '@conduit/budget';
import { PriceQuoteController } from './price-quote.controller';
import { PriceQuoteService } from './price-quote.service';

/**
 * Billed prices, price quotes for the gateway, the priced-model rule, and (from `BudgetModule`)
 * the settlement of budget reservations. `internal` is the app's InternalModule.
 */
@Module({})
export class UsageModule {
  static register(budget: BudgetModuleOptions, internal: DynamicModule): DynamicModule {
    return {
      module: UsageModule,
      imports: [BudgetModule.forRoot(budget), internal],
      controllers: [PriceQuoteController],
      providers: [PriceQuoteService],
      exports: [PriceQuoteService],
    };
  }
}
