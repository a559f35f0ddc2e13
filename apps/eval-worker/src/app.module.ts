import { DynamicModule, Module } from '@nestjs/common';
import { BudgetModule } from '@conduit/budget';
import { secretKeyringOf } from '@conduit/config';
import { LlmBreakerReadiness, LlmConfig, LlmModule } from '@conduit/llm';
import { QueueModule } from '@conduit/queue';
import { ServiceCoreModule } from '@conduit/runtime';
import { SecretKeyringModule } from '@conduit/webhooks';
import type { EvalWorkerConfig } from './config/eval-worker.config';
import { EvalSettingsModule } from './eval-settings.module';
import { JudgingModule } from './judging/judging.module';
import { EvalQueueReadiness } from './readiness/eval-queue.readiness';
import { WORKER_HANDLERS } from './worker.handlers';

@Module({})
export class AppModule {
  static register(config: EvalWorkerConfig, llm: LlmConfig): DynamicModule {
    const settings = EvalSettingsModule.register(config);
    const judging = JudgingModule.register(settings, config.policies);
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: 'eval-worker',
          settings: config,
          readinessImports: [settings],
          // The eval consumer (queue reachable, not falling behind); the judge breakers are shown, never fail readiness.
          readiness: [EvalQueueReadiness, LlmBreakerReadiness],
        }),
        SecretKeyringModule.forRoot(secretKeyringOf(config.secrets)),
        BudgetModule.forRoot(config.budget),
        LlmModule.forRoot(llm),
        judging,
        QueueModule.forWorker(WORKER_HANDLERS, { imports: [judging], concurrency: { eval: config.evaluation.concurrency } }),
      ],
    };
  }
}
