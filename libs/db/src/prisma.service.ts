import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { PrismaClient } from './generated/client';
import { DB_OPTIONS, DbModuleOptions } from './db.constants';
import { createPgAdapter, createPgPool, transactionOptionsFor } from './prisma-client.factory';

/** The application's Prisma client (pg driver adapter, pooled). Provided by {@link DbModule}. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnApplicationShutdown {
  /**
   * The pg pool under Prisma, for the few statements on hot paths where Prisma's per-query cost
   * matters (batched inserts of the chat path and the ledger): plain parameterised SQL, one round
   * trip. Everything else goes through Prisma.
   */
  readonly pg: Pool;

  constructor(@Inject(DB_OPTIONS) options: DbModuleOptions) {
    const pool = createPgPool(options);
    super({ adapter: createPgAdapter(options, pool), transactionOptions: transactionOptionsFor(options) });
    this.pg = pool;
    // An idle client's connection dropping (Postgres restart) must not crash the process.
    pool.on('error', () => undefined);
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    if (!this.pg.ended) await this.pg.end();
  }
}
