import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '@conduit/queue';
import { BUDGET_OPTIONS, BUDGET_REDIS, BudgetModuleOptions } from './budget.constants';
import { LedgerAnonymiser } from './ledger-anonymiser';
import { LedgerSpend } from './ledger-spend';
import { BudgetCapStore } from './policy/budget-cap.store';
import { UnpricedModelPolicy } from './policy/unpriced-models.policy';
import { PriceBook } from './pricing/price-book';
import { PriceListStore } from './pricing/price-list.store';
import { UsageControls } from './redis/usage-controls';
import { ReservationSettler } from './reservation.settler';

@Injectable()
class BudgetRedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(BUDGET_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Usage controls for one service: {@link UsageControls} (reservations and rate limits in Redis),
 * {@link ReservationSettler}, {@link BudgetCapStore}, {@link UnpricedModelPolicy},
 * {@link LedgerSpend} and, with `pricing: true`, the {@link PriceBook}.
 * It has its own Redis connection that fails fast (unlike the queue's, which waits out outages):
 * a request must not hang on a budget check.
 */
@Global()
@Module({})
export class BudgetModule {
  static forRoot(options: BudgetModuleOptions): DynamicModule {
    return {
      module: BudgetModule,
      global: true,
      providers: [
        { provide: BUDGET_OPTIONS, useValue: options },
        {
          provide: BUDGET_REDIS,
          useFactory: () =>
            createRedisConnection(options.redisUrl, {
              connectionName: 'conduit-budget',
              maxRetriesPerRequest: 2,
              commandTimeout: 5_000,
              // Admissions and settlements of concurrent requests issued in the same tick go out
              // as one write (this connection never runs blocking commands, unlike BullMQ's).
              enableAutoPipelining: true,
            }),
        },
        BudgetRedisLifecycle,
        LedgerSpend,
        BudgetCapStore,
        UnpricedModelPolicy,
        {
          provide: UsageControls,
          inject: [BUDGET_REDIS, LedgerSpend],
          useFactory: (redis: Redis, spend: LedgerSpend) =>
            new UsageControls(redis, spend, {
              prefix: options.prefix,
              reservationTtlMs: options.reservationTtlMs,
              settledTtlMs: options.settledTtlMs,
            }),
        },
        ReservationSettler,
        PriceListStore,
        LedgerAnonymiser,
        ...(options.pricing ? [PriceBook] : []),
      ],
      exports: [
        BUDGET_OPTIONS,
        BUDGET_REDIS,
        UsageControls,
        ReservationSettler,
        BudgetCapStore,
        UnpricedModelPolicy,
        LedgerSpend,
        PriceListStore,
        LedgerAnonymiser,
        ...(options.pricing ? [PriceBook] : []),
      ],
    };
  }
}
