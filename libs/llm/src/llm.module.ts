import { DynamicModule, Global, Module } from '@nestjs/common';
import { llmConfigFromEnv } from './config/llm-config-from-env';
import { parseLlmConfig, type LlmConfig, type LlmConfigInput } from './config/llm.config';
import { LlmBreakerReadiness } from './gateway/breaker.readiness';
import { LlmGateway } from './gateway/llm.gateway';

/** Injection token of the validated {@link LlmConfig}. */
export const LLM_CONFIG = Symbol('LLM_CONFIG');

/**
 * Global module providing {@link LlmGateway}; import once per app. Global on purpose: the gateway
 * is process-wide state (circuit breakers, connection pools, the price table it is given), so
 * every caller in the process (chat, async jobs, price quotes, the model list) must share the
 * one instance, like the Prisma pool of `DbModule`.
 */
@Global()
@Module({})
export class LlmModule {
  /** With no config, it is read from the environment ({@link llmConfigFromEnv}) when the app starts. */
  static forRoot(config?: LlmConfigInput | LlmConfig): DynamicModule {
    return {
      module: LlmModule,
      global: true,
      providers: [
        { provide: LLM_CONFIG, useFactory: () => (config === undefined ? llmConfigFromEnv() : parseLlmConfig(config)) },
        { provide: LlmGateway, useFactory: (parsed: LlmConfig) => new LlmGateway(parsed), inject: [LLM_CONFIG] },
        LlmBreakerReadiness,
      ],
      exports: [LlmGateway, LLM_CONFIG, LlmBreakerReadiness],
    };
  }
}
