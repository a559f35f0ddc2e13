export { JobName, QueueName, payloadSchemaOf, queueJobs, queueOfJob } from './queues';
export type { JobInput, JobPayload, JobsOf, QueueJobs, QueueOfJob } from './queues';
export { usageEventSchema, usageRecordJobId } from './usage-event.schema';
export type { UsageEvent, UsageEventInput } from './usage-event.schema';
export { DocumentMediaType, documentIngestJobId, documentIngestSchema, documentMediaTypeSchema } from './document-ingest.schema';
export type { DocumentIngest, DocumentIngestInput } from './document-ingest.schema';
export {
  chatCompletionRequestSchema,
  chatMessageSchema,
  conduitExtensionSchema,
  MAX_MESSAGES,
  maxTokensOf,
  textOf,
} from './chat-completion.schema';
export type { ChatCompletionRequest, ChatMessageInput } from './chat-completion.schema';
export {
  ASYNC_JOB_STATUSES,
  ASYNC_JOB_TYPES,
  AsyncJobStatus,
  AsyncJobType,
  JOB_WEBHOOK_EVENTS,
  MAX_BATCH_REQUESTS,
  TERMINAL_JOB_STATUSES,
  asyncJobInputSchemas,
  chatBatchJobInputSchema,
  chatCompletionJobInputSchema,
  jobExecuteJobId,
  jobExecuteSchema,
} from './async-job.schema';
export type { AsyncJobObject, ChatBatchJobInput, ChatCompletionJobInput, JobExecute, JobExecuteInput } from './async-job.schema';
export { WEBHOOK_EVENT_MAX_BYTES, webhookDeliverJobId, webhookDeliverSchema, webhookEventBody } from './webhook-deliver.schema';
export type { WebhookDeliver, WebhookDeliverInput } from './webhook-deliver.schema';
export { uuidFromName } from './deterministic-id';
export { priceQuoteSchema, RESERVATION_HEADER } from './price-quote.schema';
export type { PriceQuote } from './price-quote.schema';
