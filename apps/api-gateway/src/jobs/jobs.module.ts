import { DynamicModule, Module } from '@nestjs/common';
import { JobStoreModule } from '@conduit/jobs';
import { PoliciesModule } from '@conduit/policies';
import { PromptsApiModule } from '../prompts/prompts.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { JOBS_OPTIONS, JobsOptions } from './jobs.constants';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/**
 * `/v1/jobs`. Needs the service core (Prisma, Redis and the job producer), the job store, the
 * webhooks module (endpoints), the prompt store (a job pins its label's version at submit) and `usage`, the app's UsageModule (admission of each job); the
 * worker side lives in the chat-orchestrator.
 */
@Module({})
export class JobsModule {
  static register(options: JobsOptions, usage: DynamicModule): DynamicModule {
    return {
      module: JobsModule,
      imports: [WebhooksModule, JobStoreModule, usage, PromptsApiModule, PoliciesModule.forRoot({ cacheTtlMs: 60_000 })],
      controllers: [JobsController],
      providers: [{ provide: JOBS_OPTIONS, useValue: options }, JobsService],
    };
  }
}
