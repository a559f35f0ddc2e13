export { JobName, QueueName, payloadSchemaOf, queueJobs, queueOfJob } from './queues';
export type { JobInput, JobPayload, JobsOf, QueueJobs, QueueOfJob } from './queues';
export { USAGE_BATCH_MAX_EVENTS, usageBatchJobId, usageBatchSchema, usageEventSchema, usageRecordJobId } from './usage-event.schema';
export type { UsageBatch, UsageBatchInput, UsageEvent, UsageEventInput } from './usage-event.schema';
export { DocumentMediaType, documentIngestJobId, documentIngestSchema } from './document-ingest.schema';
export type { DocumentIngest, DocumentIngestInput } from './document-ingest.schema';
export {
  CHAT_COMPLETION_FIELDS,
  IMAGE_DETAILS,
  IMAGE_TOKEN_ESTIMATE,
  imagesOf,
  imageTokenEstimate,
  MAX_CHOICES,
  REASONING_EFFORTS,
  unknownChatFields,
  chatCompletionRequestSchema,
  chatMessageSchema,
  conduitExtensionSchema,
  MAX_MESSAGES,
  MODEL_NAME,
  maxTokensOf,
  modelNameSchema,
  responseFormatSchema,
  textOf,
  toolDefinitionSchema,
} from './chat-completion.schema';
export type { ChatCompletionRequest, ChatMessageInput, ImageDetail, ResponseFormat } from './chat-completion.schema';
export {
  ASYNC_JOB_STATUSES,
  ASYNC_JOB_TYPES,
  AsyncJobStatus,
  AsyncJobType,
  JOB_WEBHOOK_EVENTS,
  MAX_BATCH_REQUESTS,
  TERMINAL_JOB_STATUSES,
  chatBatchJobInputSchema,
  chatCompletionJobInputSchema,
  jobExecuteJobId,
  jobExecuteSchema,
} from './async-job.schema';
export type { AsyncJobObject, JobRequiredAction, ChatBatchJobInput, ChatCompletionJobInput, JobExecute, JobExecuteInput } from './async-job.schema';
export { WEBHOOK_EVENT_MAX_BYTES, webhookDeliverJobId, webhookDeliverSchema, webhookEventBody } from './webhook-deliver.schema';
export type { WebhookDeliver, WebhookDeliverInput } from './webhook-deliver.schema';
export { uuidFromName } from './deterministic-id';
export { priceQuoteSchema } from './price-quote.schema';
export { ConduitHeader } from './conduit-headers';
export type { PriceQuote } from './price-quote.schema';
export { cleanText, INPUT_LIMITS, inspectInput, isCleanText } from './input-rules';
export type { InputLimits, InputProblem, InputProblemCode } from './input-rules';
export { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, describeApiKey, hashApiKey, mintApiKey } from './api-key';
export type { ApiKeyScope, MintedApiKey } from './api-key';
export {
  checkSafeRegex,
  DEFAULT_GUARDRAILS_POLICY,
  effectiveGuardrailsPolicy,
  guardrailsPolicyOverrideSchema,
  MAX_PATTERN_LENGTH,
  mergeGuardrailsPolicy,
  MODERATION_CATEGORIES,
  paramPath,
  parseGuardrailsPolicy,
  PII_ENTITY_TYPES,
  policyErrorOf,
  STRUCTURED_PII_TYPES,
} from './guardrails-policy.schema';
export type { GuardrailsPolicy, GuardrailsPolicyOverride, ModerationCategory, PiiEntityType, RegexCheck } from './guardrails-policy.schema';
export { isModelGlob, modelGlob, patternSpecificity } from './model-pattern';
export { cachePolicySchema, cacheRequestSchema, DEFAULT_CACHE_POLICY } from './cache-policy.schema';
export type { CachePolicy, CacheRequest } from './cache-policy.schema';
export { DEFAULT_ROUTING_POLICY, routingPolicySchema, routingRuleSchema, routingSectionFor, routingSectionSchema } from './routing-policy.schema';
export type { RoutingPolicy, RoutingRule, RoutingSection, RoutingTier } from './routing-policy.schema';
export { BROWSER_ORIGIN, corsPolicySchema } from './cors-policy.schema';
export type { CorsPolicy } from './cors-policy.schema';
export { DEFAULT_PROMPT_LABEL, PROMPT_LABEL, PROMPT_NAME, promptLabelSchema, promptNameSchema, promptReferenceSchema } from './prompt-reference.schema';
export type { PromptReference } from './prompt-reference.schema';
export { DEFAULT_DEGRADATION_POLICY, degradationPolicySchema } from './degradation-policy.schema';
export type { DegradationPolicy } from './degradation-policy.schema';
export { DEFAULT_TRACING_POLICY, TRACING_MAX_CHARS_LIMIT, tracingPolicySchema } from './tracing-policy.schema';
export type { TracingPolicy } from './tracing-policy.schema';
export { compatPolicyFor, DEFAULT_TENANT_POLICY, guardrailsPolicyFor, resolveTenantPolicy, tenantPolicyDocumentSchema } from './tenant-policy.schema';
export type { TenantPolicy, TenantPolicyDocument } from './tenant-policy.schema';
export { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, webhookEventTypeSchema } from './webhook-event-types';
export type { WebhookEventType } from './webhook-event-types';
export {
  BUILTIN_RUBRICS,
  customRubricSchema,
  DEFAULT_EVAL_POLICY,
  EVAL_REASONS,
  evalPolicySchema,
  evalTurnJobId,
  evalTurnSchema,
} from './eval-policy.schema';
export type { BuiltinRubric, CustomRubric, EvalPolicy, EvalReason, EvalTurn, EvalTurnInput } from './eval-policy.schema';
export { DEFAULT_MEMORY_POLICY, memoryExtractJobId, memoryExtractSchema, memoryPolicySchema } from './memory-policy.schema';
export type { MemoryExtract, MemoryExtractInput, MemoryPolicy } from './memory-policy.schema';
export { sessionSummarizeJobId, sessionSummarizeSchema } from './session-summary.schema';
export type { SessionSummarize } from './session-summary.schema';
export { DEFAULT_TOOLS_POLICY, toolsPolicySchema } from './tools-policy.schema';
export type { ToolsPolicy } from './tools-policy.schema';
export { toolConfirmationDecisionSchema } from './tool-confirmation.schema';
export type { ToolConfirmationDecision } from './tool-confirmation.schema';
export { compatPolicyOverrideSchema, compatPolicySchema, DEFAULT_COMPAT_POLICY, mergeCompatPolicy } from './compat-policy.schema';
export type { CompatPolicy, CompatPolicyOverride } from './compat-policy.schema';
