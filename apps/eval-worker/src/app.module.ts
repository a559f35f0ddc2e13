import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@conduit/runtime';
import type { EvalWorkerConfig } from './config/eval-worker.config';

@Module({})
export class AppModule {
  static register(config: EvalWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceCoreModule.forRoot({ service: 'eval-worker', settings: config })],
    };
  }
}
