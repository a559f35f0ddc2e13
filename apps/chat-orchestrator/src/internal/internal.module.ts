import { DynamicModule, Module } from '@nestjs/common';
import { INTERNAL_SETTINGS, InternalSettings } from './internal.constants';

/**
 * What the orchestrator's HTTP features share without depending on each other: the settings
 * (internal token, history limits). The caller check is `InternalCallerGuard` beside it.
 */
@Module({})
export class InternalModule {
  static register(settings: InternalSettings): DynamicModule {
    return {
      module: InternalModule,
      providers: [{ provide: INTERNAL_SETTINGS, useValue: settings }],
      exports: [INTERNAL_SETTINGS],
    };
  }
}
