import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, ReadinessCheck } from './readiness-check';

@Module({})
export class HealthModule {
  /** `checks` are provider classes (already provided by their own modules) consulted by /health/ready. */
  static forRoot(checks: Type<ReadinessCheck>[]): DynamicModule {
    const provider: Provider = {
      provide: READINESS_CHECKS,
      useFactory: (...instances: ReadinessCheck[]) => instances,
      inject: checks,
    };
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [provider],
    };
  }
}
