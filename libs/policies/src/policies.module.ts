import { DynamicModule, Module } from '@nestjs/common';
import { POLICIES_OPTIONS, PoliciesModuleOptions } from './policies.constants';
import { PolicyStore } from './policy.store';

/** {@link PolicyStore} for an app that already has `DbModule` and `QueueModule.forRoot`. */
@Module({})
export class PoliciesModule {
  static forRoot(options: PoliciesModuleOptions): DynamicModule {
    return {
      module: PoliciesModule,
      providers: [{ provide: POLICIES_OPTIONS, useValue: options }, PolicyStore],
      exports: [PolicyStore],
    };
  }
}
