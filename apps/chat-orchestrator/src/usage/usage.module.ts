import { DynamicModule, Module } from '@nestjs/common';
import { BudgetModule, BudgetModuleOptions } from '@conduit/budget';
import { CHAT_SETTINGS, ChatSettings } from '../chat/chat.constants';
import { PriceQuoteController } from './price-quote.controller';
import { PriceQuoteService } from './price-quote.service';
import { ReservationSettler } from './reservation.settler';

/** Billed prices, price quotes for the gateway, and settlement of budget reservations. */
@Module({})
export class UsageModule {
  static register(budget: BudgetModuleOptions, chat: ChatSettings): DynamicModule {
    return {
      module: UsageModule,
      global: true,
      imports: [BudgetModule.forRoot(budget)],
      controllers: [PriceQuoteController],
      providers: [PriceQuoteService, ReservationSettler, { provide: CHAT_SETTINGS, useValue: chat }],
      exports: [PriceQuoteService, ReservationSettler],
    };
  }
}
