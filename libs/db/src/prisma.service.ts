import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PrismaClient } from './generated/client';
import { DB_OPTIONS, DbModuleOptions } from './db.constants';
import { createPgAdapter } from './prisma-client.factory';

/** The application's Prisma client (pg driver adapter, pooled). Provided by {@link DbModule}. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(DB_OPTIONS) options: DbModuleOptions) {
    super({ adapter: createPgAdapter(options) });
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
