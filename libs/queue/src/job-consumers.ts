import type { Type } from '@nestjs/common';
import { JobName, queueOfJob } from '@conduit/contracts';
import type { JobHandler } from './job-handler';
import { JOB_HANDLER_METADATA } from './queue.constants';
import { JobRegistryError } from './job-registry';

/** The job a handler class is declared for with `@HandlesJob`. */
export function jobOfHandlerClass(handler: Type<JobHandler>): JobName | undefined {
  return Reflect.getMetadata(JOB_HANDLER_METADATA, handler) as JobName | undefined;
}

/**
 * The system-wide half of the job registry check (each service checks its own handlers when it
 * starts): every job name is consumed by exactly one service. `consumers` maps each service to the
 * handler classes its worker registers. Returns job → service; throws naming every job with no
 * consumer or with more than one.
 */
export function checkJobConsumers(consumers: Readonly<Record<string, readonly Type<JobHandler>[]>>): Map<JobName, string> {
  const byJob = new Map<JobName, string[]>();
  const problems: string[] = [];
  for (const [service, handlers] of Object.entries(consumers)) {
    for (const handler of handlers) {
      const job = jobOfHandlerClass(handler);
      if (!job) {
        problems.push(`${service}: ${handler.name} has no @HandlesJob(...) decorator`);
        continue;
      }
      queueOfJob(job);
      byJob.set(job, [...(byJob.get(job) ?? []), service]);
    }
  }
  for (const job of Object.values(JobName)) {
    const services = byJob.get(job) ?? [];
    if (services.length === 0) problems.push(`job "${job}" has no consuming service`);
    if (services.length > 1) problems.push(`job "${job}" is consumed by ${services.length} services: ${services.join(', ')} (one service consumes a job)`);
  }
  if (problems.length > 0) throw new JobRegistryError(problems.join('; '));
  return new Map([...byJob].map(([job, services]) => [job, services[0]]));
}
