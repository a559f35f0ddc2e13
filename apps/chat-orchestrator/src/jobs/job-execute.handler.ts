import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobExecute, JobName } from '@conduit/contracts';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { JobRunner, RunOutcome } from './job.runner';

/** `job.execute`: runs one async job (see {@link JobRunner}). */
@Injectable()
@HandlesJob(JobName.JobExecute)
export class JobExecuteHandler implements JobHandler<typeof JobName.JobExecute> {
  constructor(private readonly runner: JobRunner) {}

  handle(payload: JobExecute, job: Job): Promise<RunOutcome> {
    return this.runner.run(payload, job);
  }
}
