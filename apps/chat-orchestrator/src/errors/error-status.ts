import { PROMPT_ERROR_STATUS, PromptErrorCode } from '@conduit/prompts';
import { RetrievalErrorCode } from '@conduit/retrieval';
import { TOOL_ERROR_STATUS, ToolErrorCode } from '@conduit/tools';
import { ErrorStatusTable, RUNTIME_ERROR_STATUS, RuntimeErrorCode } from '@conduit/runtime';
import { ChatErrorCode } from '../chat/chat.exception';
import { InternalErrorCode } from '../internal/internal.exception';
import { GuardrailErrorCode } from '../pipeline/guardrails/guardrails.exception';
import { DegradationErrorCode } from '../pipeline/stages/retrieval/degradation.exception';
import { ToolLoopErrorCode } from '../pipeline/stages/model-call/tool-loop.exception';
import { UsageErrorCode } from '../usage/usage.exception';

/** Every code the orchestrator answers with: each module's enum, plus the runtime's and retrieval's. */
export const ORCHESTRATOR_ERROR_CODES = [RuntimeErrorCode, InternalErrorCode, ChatErrorCode, GuardrailErrorCode, UsageErrorCode, RetrievalErrorCode, PromptErrorCode, DegradationErrorCode, ToolLoopErrorCode, ToolErrorCode] as const;

export type OrchestratorErrorCode = RuntimeErrorCode | InternalErrorCode | ChatErrorCode | GuardrailErrorCode | UsageErrorCode | RetrievalErrorCode | PromptErrorCode | DegradationErrorCode | ToolLoopErrorCode | ToolErrorCode;

/**
 * The one place the orchestrator decides an HTTP status: code → status. A code missing here fails
 * to compile (and `error-status.spec.ts`); throw sites name only the code. The gateway passes these
 * answers through unchanged.
 */
export const ORCHESTRATOR_ERROR_STATUS: ErrorStatusTable<OrchestratorErrorCode> = {
  ...RUNTIME_ERROR_STATUS,

  [InternalErrorCode.Unauthorized]: 401,

  [ChatErrorCode.MissingContext]: 400,
  [ChatErrorCode.SessionNotFound]: 404,
  [ChatErrorCode.UpstreamRejected]: 400,
  [ChatErrorCode.UpstreamUnavailable]: 502,
  [ChatErrorCode.UpstreamError]: 502,
  [ChatErrorCode.AllBreakersOpen]: 503,
  [ChatErrorCode.NoProvider]: 503,
  [ChatErrorCode.UnsupportedParameter]: 400,
  [ChatErrorCode.InvalidModelOutput]: 502,

  [GuardrailErrorCode.PromptInjectionDetected]: 400,
  [GuardrailErrorCode.PiiDetected]: 400,

  [UsageErrorCode.ModelNotFound]: 404,
  [UsageErrorCode.ModelNotPriced]: 400,
  [UsageErrorCode.PricingUnavailable]: 503,

  [RetrievalErrorCode.CollectionNotFound]: 404,
  [RetrievalErrorCode.EmbeddingModelMismatch]: 409,
  [RetrievalErrorCode.InvalidRetrievalRequest]: 400,

  ...PROMPT_ERROR_STATUS,
  [DegradationErrorCode.RetrievalUnavailable]: 503,

  ...TOOL_ERROR_STATUS,
  [ToolLoopErrorCode.ToolsDisabled]: 400,
  [ToolLoopErrorCode.ConfirmationNotFound]: 404,
  [ToolLoopErrorCode.ConfirmationDecided]: 409,
  [ToolLoopErrorCode.ConfirmationJobFinished]: 409,
  [ToolLoopErrorCode.ArgumentEditNotAllowed]: 403,
  [ToolLoopErrorCode.InvalidEditedArguments]: 400,
};
