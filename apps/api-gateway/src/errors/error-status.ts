import { PROMPT_ERROR_STATUS, PromptErrorCode } from '@conduit/prompts';
import { TOOL_ERROR_STATUS, ToolErrorCode } from '@conduit/tools';
import { ErrorStatusTable, RUNTIME_ERROR_STATUS, RuntimeErrorCode } from '@conduit/runtime';
import { AdminErrorCode } from '../admin/admin.exception';
import { AuthErrorCode } from '../auth/auth.exception';
import { EndUserErrorCode } from '../auth/end-user.exception';
import { JwtErrorCode } from '../auth/jwt.exception';
import { ChatErrorCode } from '../chat/chat.exception';
import { DocsErrorCode } from '../docs/docs.exception';
import { DocumentsErrorCode } from '../documents/documents.exception';
import { EmbeddingsErrorCode } from '../embeddings/embeddings.exception';
import { EvaluationsErrorCode } from '../evaluations/evaluations.exception';
import { JobsErrorCode } from '../jobs/jobs.exception';
import { MemoriesErrorCode } from '../memories/memories.exception';
import { MessagesErrorCode } from '../messages/messages.exception';
import { ResponsesErrorCode } from '../responses/responses.exception';
import { SessionsErrorCode } from '../sessions/sessions.exception';
import { UsageErrorCode } from '../usage/usage.exception';
import { WebhooksErrorCode } from '../webhooks/webhooks.exception';

/** Every code the gateway answers with: each module's enum, plus the runtime's. */
export const GATEWAY_ERROR_CODES = [
  RuntimeErrorCode,
  AdminErrorCode,
  AuthErrorCode,
  EndUserErrorCode,
  JwtErrorCode,
  ChatErrorCode,
  DocsErrorCode,
  DocumentsErrorCode,
  EvaluationsErrorCode,
  JobsErrorCode,
  MessagesErrorCode,
  SessionsErrorCode,
  UsageErrorCode,
  WebhooksErrorCode,
  PromptErrorCode,
  MemoriesErrorCode,
  ToolErrorCode,
  EmbeddingsErrorCode,
  ResponsesErrorCode,
] as const;

export type GatewayErrorCode =
  | RuntimeErrorCode
  | AdminErrorCode
  | AuthErrorCode
  | EndUserErrorCode
  | JwtErrorCode
  | ChatErrorCode
  | DocsErrorCode
  | DocumentsErrorCode
  | EvaluationsErrorCode
  | JobsErrorCode
  | MessagesErrorCode
  | SessionsErrorCode
  | UsageErrorCode
  | WebhooksErrorCode
  | PromptErrorCode
  | MemoriesErrorCode
  | ToolErrorCode
  | EmbeddingsErrorCode
  | ResponsesErrorCode;

/**
 * The one place the gateway decides an HTTP status: code → status. A code missing here fails to
 * compile (and `error-status.spec.ts`); throw sites name only the code.
 */
export const GATEWAY_ERROR_STATUS: ErrorStatusTable<GatewayErrorCode> = {
  // invalid_json, invalid_request (also ChatErrorCode.InvalidSessionHeader, JobsErrorCode.InvalidRequest), the input
  // rules (invalid_characters, json_too_deep, json_too_large), invalid_model and the HTTP edge's codes
  ...RUNTIME_ERROR_STATUS,

  [AdminErrorCode.InvalidAdminKey]: 401,
  [AdminErrorCode.AdminRequired]: 403,
  [AdminErrorCode.PlatformAdminRequired]: 403,
  [AdminErrorCode.TenantNotFound]: 404,
  [AdminErrorCode.UserNotFound]: 404,
  [AdminErrorCode.ApiKeyNotFound]: 404,
  [AdminErrorCode.AdminKeyNotFound]: 404,
  [AdminErrorCode.TenantSlugTaken]: 409,
  [AdminErrorCode.UserEmailTaken]: 409,
  [AdminErrorCode.InvalidPolicy]: 400,

  [AuthErrorCode.MissingApiKey]: 401,
  [AuthErrorCode.InvalidApiKey]: 401,
  [AuthErrorCode.TenantAdminRequired]: 403,
  [AuthErrorCode.ScopeRequired]: 403,
  [AuthErrorCode.TenantSuspended]: 403,
  [AuthErrorCode.UserSuspended]: 403,

  [EndUserErrorCode.InvalidEndUser]: 400,
  [EndUserErrorCode.EndUserNotAllowed]: 403,

  [JwtErrorCode.InvalidToken]: 401,
  [JwtErrorCode.TokenExpired]: 401,
  [JwtErrorCode.TokenAudienceMismatch]: 401,
  [JwtErrorCode.TokenIssuerUnknown]: 401,
  [JwtErrorCode.TokenUserClaimMissing]: 401,
  [JwtErrorCode.JwksUnavailable]: 503,

  [ChatErrorCode.MaxTokensTooLarge]: 400, // also JobsErrorCode.MaxTokensTooLarge
  [ChatErrorCode.UnsupportedExtension]: 400,
  [ChatErrorCode.UnsupportedParameter]: 400,
  [ChatErrorCode.ImageTooLarge]: 400,
  [ChatErrorCode.TooManyImages]: 400,
  [ChatErrorCode.InvalidImage]: 400,
  [ChatErrorCode.InvalidImageUrl]: 400,
  [ChatErrorCode.OrchestratorUnavailable]: 503,
  [ChatErrorCode.ToolConfirmationNotFound]: 404,

  [DocsErrorCode.AssetNotFound]: 404,

  [DocumentsErrorCode.DocumentNotFound]: 404,
  [DocumentsErrorCode.InvalidCursor]: 400, // also the jobs', messages' and sessions' invalid_cursor
  [DocumentsErrorCode.MultipartRequired]: 400,
  [DocumentsErrorCode.InvalidUpload]: 400,
  [DocumentsErrorCode.EmptyFile]: 400,
  [DocumentsErrorCode.FileTooLarge]: 413,
  [DocumentsErrorCode.UnsupportedMediaType]: 415,
  [DocumentsErrorCode.EmbeddingModelMismatch]: 409,
  [DocumentsErrorCode.DocumentBusy]: 409,
  [DocumentsErrorCode.DependencyUnavailable]: 503,
  [DocumentsErrorCode.CollectionNotFound]: 404,
  [DocumentsErrorCode.CollectionExists]: 409,

  [JobsErrorCode.JobNotFound]: 404,
  [JobsErrorCode.DeliveryNotFound]: 404,
  [JobsErrorCode.InvalidIdempotencyKey]: 400,
  [JobsErrorCode.IdempotencyKeyReused]: 409,
  [JobsErrorCode.JobNotCancellable]: 409,
  [JobsErrorCode.InvalidWebhookUrl]: 400,
  [JobsErrorCode.WebhookEndpointDisabled]: 409,
  [JobsErrorCode.DeliveryInProgress]: 409,

  [MessagesErrorCode.MessageNotFound]: 404,
  [MessagesErrorCode.FeedbackNotAllowed]: 400,

  [SessionsErrorCode.SessionNotFound]: 404,
  [MemoriesErrorCode.MemoryNotFound]: 404,
  [MemoriesErrorCode.MemoryLimitReached]: 409,

  [UsageErrorCode.BudgetExceeded]: 402,
  [UsageErrorCode.RateLimitExceeded]: 429,
  [UsageErrorCode.PricingUnavailable]: 503,
  [UsageErrorCode.ModelNotPriced]: 400,
  [UsageErrorCode.ModelNotAllowed]: 403,
  [UsageErrorCode.ControlsUnavailable]: 503,
  [UsageErrorCode.InvalidRange]: 400,

  [WebhooksErrorCode.EndpointNotFound]: 404,
  [WebhooksErrorCode.EndpointExists]: 409,
  [WebhooksErrorCode.InvalidEndpointUrl]: 400,

  ...PROMPT_ERROR_STATUS,
  ...TOOL_ERROR_STATUS,

  [EmbeddingsErrorCode.ModelNotFound]: 404,
  [EmbeddingsErrorCode.EmptyInput]: 400,
  [EmbeddingsErrorCode.TooManyInputs]: 400,
  [EmbeddingsErrorCode.DimensionsNotSupported]: 400,
  [EmbeddingsErrorCode.InvalidTokens]: 400,
  // EmbeddingsErrorCode.UnsupportedParameter is the same code as ChatErrorCode.UnsupportedParameter (400, above).
  [EmbeddingsErrorCode.InputRejected]: 400,
  [EmbeddingsErrorCode.ProviderError]: 502,

  [ResponsesErrorCode.ResponseNotFound]: 404,
  // ResponsesErrorCode.UnsupportedParameter is the same code as ChatErrorCode.UnsupportedParameter (400, above).
};
