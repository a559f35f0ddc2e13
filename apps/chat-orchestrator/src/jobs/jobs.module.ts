import { DynamicModule, Module } from '@nestjs/common';
import { JobStoreModule } from '@conduit/jobs';
import { ChatBatchExecutor } from './chat-batch.executor';
import { ChatCompletionExecutor } from './chat-completion.executor';
import { JobCancellations } from './job-cancellations';
import { JOB_EXECUTORS, JobExecutor } from './job-executor';
import { JobReconciler } from './job.reconciler';
import { JobRunner } from './job.runner';
import { JOBS_WORKER_SETTINGS, JobsWorkerSettings } from './jobs.constants';

/**
 * The worker side of async jobs: executors per job type, the runner the `job.execute` handler
 * calls, cancellation and the reconciler. `chat` is the app's ChatModule (the same instance the
 * HTTP chat path uses). The worker module imports this one for the handler's {@link JobRunner}.
 */
@Module({})
export class JobsModule {
  static register(settings: JobsWorkerSettings, chat: DynamicModule): DynamicModule {
    return {
      module: JobsModule,
      imports: [chat, JobStoreModule],
      providers: [
        { provide: JOBS_WORKER_SETTINGS, useValue: settings },
        ChatCompletionExecutor,
        ChatBatchExecutor,
        {
          provide: JOB_EXECUTORS,
          inject: [ChatCompletionExecutor, ChatBatchExecutor],
          useFactory: (...executors: JobExecutor[]) => executors,
        },
        JobCancellations,
        JobRunner,
        JobReconciler,
      ],
      exports: [JobRunner],
    };
  }
}
