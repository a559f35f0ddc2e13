import { z } from 'zod';
import { jobExecuteSchema } from './async-job.schema';
import { documentIngestSchema } from './document-ingest.schema';
import { evalTurnSchema } from './eval-policy.schema';
import { memoryExtractSchema } from './memory-policy.schema';
import { sessionSummarizeSchema } from './session-summary.schema';
import { usageBatchSchema, usageEventSchema } from './usage-event.schema';
import { webhookDeliverSchema } from './webhook-deliver.schema';

/** Every BullMQ queue in the system. */
export const QueueName = {
  Usage: 'usage',
  Ingestion: 'ingestion',
  Jobs: 'jobs',
  Webhooks: 'webhooks',
  Eval: 'eval',
  Memory: 'memory',
  Summaries: 'summaries',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job name, unique across queues. */
export const JobName = {
  UsageRecord: 'usage.record',
  UsageRecordBatch: 'usage.record.batch',
  DocumentIngest: 'document.ingest',
  JobExecute: 'job.execute',
  WebhookDeliver: 'webhook.deliver',
  EvalTurn: 'eval.turn',
  MemoryExtract: 'memory.extract',
  SessionSummarize: 'session.summarize',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/**
 * Queue → job name → payload schema. Producers validate with these schemas before
 * enqueueing; processors are typed from this map and validate again on receipt.
 */
export const queueJobs = {
  [QueueName.Usage]: {
    [JobName.UsageRecord]: usageEventSchema,
    [JobName.UsageRecordBatch]: usageBatchSchema,
  },
  [QueueName.Ingestion]: {
    [JobName.DocumentIngest]: documentIngestSchema,
  },
  [QueueName.Jobs]: {
    [JobName.JobExecute]: jobExecuteSchema,
  },
  [QueueName.Webhooks]: {
    [JobName.WebhookDeliver]: webhookDeliverSchema,
  },
  [QueueName.Eval]: {
    [JobName.EvalTurn]: evalTurnSchema,
  },
  [QueueName.Memory]: {
    [JobName.MemoryExtract]: memoryExtractSchema,
  },
  [QueueName.Summaries]: {
    [JobName.SessionSummarize]: sessionSummarizeSchema,
  },
} as const satisfies Record<QueueName, Partial<Record<JobName, z.ZodType>>>;

export type QueueJobs = typeof queueJobs;
export type JobsOf<Q extends QueueName> = keyof QueueJobs[Q] & JobName;
export type QueueOfJob<J extends JobName> = {
  [Q in QueueName]: J extends keyof QueueJobs[Q] ? Q : never;
}[QueueName];
export type JobPayload<J extends JobName> = QueueJobs[QueueOfJob<J>][J & keyof QueueJobs[QueueOfJob<J>]] extends z.ZodType
  ? z.output<QueueJobs[QueueOfJob<J>][J & keyof QueueJobs[QueueOfJob<J>]]>
  : never;

type SchemaOf<J extends JobName> = QueueJobs[QueueOfJob<J>][J & keyof QueueJobs[QueueOfJob<J>]];
/** What a producer passes in (defaults not yet applied). */
export type JobInput<J extends JobName> = SchemaOf<J> extends z.ZodType ? z.input<SchemaOf<J>> : never;

/** Finds which queue a job name belongs to (job names are unique system-wide). */
export function queueOfJob<J extends JobName>(job: J): QueueOfJob<J> {
  for (const [queue, jobs] of Object.entries(queueJobs)) {
    if (job in jobs) return queue as QueueOfJob<J>;
  }
  throw new Error(`job name ${job} is not mapped to any queue`);
}

export function payloadSchemaOf(job: JobName): z.ZodType {
  const queue = queueOfJob(job);
  return (queueJobs[queue] as Record<string, z.ZodType>)[job];
}
