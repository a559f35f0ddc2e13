export { JobName, QueueName, payloadSchemaOf, queueJobs, queueOfJob } from './queues';
export type { JobPayload, JobsOf, QueueJobs, QueueOfJob } from './queues';
export { usageEventSchema } from './usage-event.schema';
export type { UsageEvent, UsageEventInput } from './usage-event.schema';
