import type { Job } from 'bullmq';
import type { JobName, JobPayload } from '@conduit/contracts';
import { JOB_HANDLER_METADATA } from './queue.constants';

/** A processor for one job name. Throw `UnrecoverableError` for work that can never succeed. */
export interface JobHandler<J extends JobName = JobName> {
  handle(payload: JobPayload<J>, job: Job): Promise<unknown>;
}

/** Declares which job a handler class processes. */
export function HandlesJob(name: JobName): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(JOB_HANDLER_METADATA, name, target);
  };
}

export function handledJobOf(target: object): JobName | undefined {
  return Reflect.getMetadata(JOB_HANDLER_METADATA, target.constructor) as JobName | undefined;
}
