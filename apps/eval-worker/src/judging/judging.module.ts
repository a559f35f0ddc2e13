import { DynamicModule, Module } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import { ConversationStoreModule } from '@conduit/conversations';
import { EvaluationModule } from '@conduit/evaluation';
import { PoliciesModule, PoliciesModuleOptions } from '@conduit/policies';
import { DeliveryStoreModule, WebhookEndpoints } from '@conduit/webhooks';
import { LlmJudge } from '../judges/llm-judge';
import { RegressionDetector } from '../regression/regression.detector';
import { TurnEvaluator } from './turn-evaluator';

/**
 * Judging and regression alerts. `settings` provides the eval worker's settings tokens; the app
 * provides the global LlmModule, BudgetModule (PriceBook) and SecretKeyringModule (webhook endpoints).
 */
@Module({})
export class JudgingModule {
  static register(settings: DynamicModule, policies: PoliciesModuleOptions): DynamicModule {
    return {
      module: JudgingModule,
      imports: [settings, EvaluationModule, ConversationStoreModule, PoliciesModule.forRoot(policies), DeliveryStoreModule],
      providers: [UsageEventProducer, WebhookEndpoints, LlmJudge, TurnEvaluator, RegressionDetector],
      exports: [TurnEvaluator, RegressionDetector],
    };
  }
}
