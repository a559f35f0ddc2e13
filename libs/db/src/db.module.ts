import { DynamicModule, FactoryProvider, Global, Module, ModuleMetadata } from '@nestjs/common';
import { DB_OPTIONS, DbModuleOptions } from './db.constants';
import { PostgresReadiness } from './postgres.readiness';
import { PrismaService } from './prisma.service';

export interface DbModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => DbModuleOptions | Promise<DbModuleOptions>;
  inject?: FactoryProvider['inject'];
}

/** Global module providing {@link PrismaService} and {@link PostgresReadiness}; import once per app. */
@Global()
@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      global: true,
      providers: [{ provide: DB_OPTIONS, useValue: options }, PrismaService, PostgresReadiness],
      exports: [PrismaService, PostgresReadiness],
    };
  }

  static forRootAsync(options: DbModuleAsyncOptions): DynamicModule {
    return {
      module: DbModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: DB_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        PrismaService,
        PostgresReadiness,
      ],
      exports: [PrismaService, PostgresReadiness],
    };
  }
}
