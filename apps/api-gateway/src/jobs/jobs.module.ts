import { DynamicModule, Module } from '@nestjs/common';
import { JobStoreModule } from '@conduit/jobs';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { JOBS_OPTIONS, JobsOptions } from './jobs.constants';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/**
 * `/v1/jobs`. Needs the service core (Prisma, Redis and the job producer), the job store and the
 * webhooks module (endpoints); the worker side lives in the chat-orchestrator.
 */
@Module({})
export class JobsModule {
  static register(options: JobsOptions): DynamicModule {
    return {
      module: JobsModule,
      imports: [WebhooksModule, JobStoreModule],
      controllers: [JobsController],
      providers: [{ provide: JOBS_OPTIONS, useValue: options }, JobsService],
    };
  }
}
