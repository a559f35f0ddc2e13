import { DynamicModule, Module } from '@nestjs/common';
import type { EvalWorkerConfig } from './config/eval-worker.config';
import { EVALUATION_SETTINGS, REGRESSION_SETTINGS } from './eval-worker.constants';
import { EvalQueueReadiness } from './readiness/eval-queue.readiness';

/**
 * The eval worker's settings as injection tokens, and its readiness check. Global: the service
 * core's health module resolves readiness checks from global providers.
 */
@Module({})
export class EvalSettingsModule {
  static register(config: Pick<EvalWorkerConfig, 'evaluation' | 'regression'>): DynamicModule {
    return {
      module: EvalSettingsModule,
      global: true,
      providers: [
        { provide: EVALUATION_SETTINGS, useValue: config.evaluation },
        { provide: REGRESSION_SETTINGS, useValue: config.regression },
        EvalQueueReadiness,
      ],
      exports: [EVALUATION_SETTINGS, REGRESSION_SETTINGS, EvalQueueReadiness],
    };
  }
}
