import { JobName, QueueName, queueJobs, queueOfJob } from '@conduit/contracts';
import type { JobHandler } from './job-handler';

export class JobRegistryError extends Error {
  override name = 'JobRegistryError';
}

export interface RegisteredHandler {
  job: JobName;
  handler: JobHandler;
}

/**
 * Builds the dispatch table for one service and refuses to start when it is wrong: a handler
 * without a job name, two handlers for one job, or a consumed queue with a job nobody handles.
 */
export function buildJobRegistry(handlers: RegisteredHandler[]): Map<QueueName, Map<JobName, JobHandler>> {
  const byQueue = new Map<QueueName, Map<JobName, JobHandler>>();
  for (const { job, handler } of handlers) {
    const queue = queueOfJob(job);
    const table = byQueue.get(queue) ?? new Map<JobName, JobHandler>();
    if (table.has(job)) {
      throw new JobRegistryError(`job "${job}" has two handlers: ${table.get(job)?.constructor.name} and ${handler.constructor.name}`);
    }
    table.set(job, handler);
    byQueue.set(queue, table);
  }
  for (const [queue, table] of byQueue) {
    const missing = Object.keys(queueJobs[queue]).filter((job) => !table.has(job as JobName));
    if (missing.length > 0) {
      throw new JobRegistryError(`queue "${queue}" is consumed here but job(s) ${missing.join(', ')} have no handler`);
    }
  }
  return byQueue;
}
