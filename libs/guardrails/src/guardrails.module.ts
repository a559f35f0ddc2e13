import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { createInjectionDetector } from './injection/detector.factory';
import type { InjectionDetector } from './injection/injection-detector';
import type { JudgeGateway } from './injection/llm-judge.detector';
import { guardrailMetrics, type GuardrailMetrics } from './telemetry/guardrail-telemetry';
import type { GuardrailsPolicy } from '@conduit/contracts';

export const INJECTION_DETECTOR = Symbol('INJECTION_DETECTOR');
export const GUARDRAIL_METRICS = Symbol('GUARDRAIL_METRICS');

export interface GuardrailsModuleOptions {
  /** The service's metrics registry (`metricsRegistry` of @conduit/observability). */
  registry: Registry;
  /** The default detector (per-tenant detectors are built with `createInjectionDetector`). */
  detector?: GuardrailsPolicy['injection']['detector'];
  /** Needed for the `llm` detector. */
  gateway?: JudgeGateway;
}

/** DI wiring for services: the default injection detector and the guardrail metrics. The lib itself is plain classes. */
@Module({})
export class GuardrailsModule {
  static forRoot(options: GuardrailsModuleOptions): DynamicModule {
    return {
      module: GuardrailsModule,
      global: true,
      providers: [
        { provide: GUARDRAIL_METRICS, useValue: guardrailMetrics(options.registry) satisfies GuardrailMetrics },
        {
          provide: INJECTION_DETECTOR,
          useValue: createInjectionDetector(options.detector ?? { kind: 'builtin' }, { gateway: options.gateway }) satisfies InjectionDetector,
        },
      ],
      exports: [GUARDRAIL_METRICS, INJECTION_DETECTOR],
    };
  }
}
