export { JobName, QueueName, payloadSchemaOf, queueJobs, queueOfJob } from './queues';
export type { JobInput, JobPayload, JobsOf, QueueJobs, QueueOfJob } from './queues';
export { usageEventSchema } from './usage-event.schema';
export type { UsageEvent, UsageEventInput } from './usage-event.schema';
export {
  chatCompletionRequestSchema,
  chatMessageSchema,
  conduitExtensionSchema,
  MAX_MESSAGES,
  maxTokensOf,
  textOf,
} from './chat-completion.schema';
export type { ChatCompletionRequest, ChatMessageInput } from './chat-completion.schema';
