import { DynamicModule, Module } from '@nestjs/common';
import { PROMPTS_OPTIONS, PromptsModuleOptions } from './prompts.constants';
import { PromptStore } from './prompt.store';

/** {@link PromptStore} for an app that already has `DbModule` and `QueueModule.forRoot`. */
@Module({})
export class PromptsModule {
  static forRoot(options: PromptsModuleOptions): DynamicModule {
    return {
      module: PromptsModule,
      providers: [{ provide: PROMPTS_OPTIONS, useValue: options }, PromptStore],
      exports: [PromptStore],
    };
  }
}
