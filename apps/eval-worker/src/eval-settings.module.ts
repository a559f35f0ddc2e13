import { DynamicModule, Module } from '@nestjs/common';
import type { EvalWorkerConfig } from './config/eval-worker.config';
import { EVALUATION_SETTINGS, REGRESSION_SETTINGS } from './eval-worker.constants';

/** The eval worker's settings as injection tokens (for the judging module and the readiness check). */
@Module({})
export class EvalSettingsModule {
  static register(config: Pick<EvalWorkerConfig, 'evaluation' | 'regression'>): DynamicModule {
    return {
      module: EvalSettingsModule,
      providers: [
        { provide: EVALUATION_SETTINGS, useValue: config.evaluation },
        { provide: REGRESSION_SETTINGS, useValue: config.regression },
      ],
      exports: [EVALUATION_SETTINGS, REGRESSION_SETTINGS],
    };
  }
}
