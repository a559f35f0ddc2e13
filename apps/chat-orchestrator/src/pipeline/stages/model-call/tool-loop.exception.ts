import { ConduitException } from '@conduit/runtime';

/**
 * The tool loop's and the confirmations' stable error codes (statuses in errors/error-status.ts).
 * Unknown or disallowed tools are the registry's (`unknown_tool`, `tool_not_allowed`: libs/tools).
 */
export enum ToolLoopErrorCode {
  /** Platform tools are off in the tenant's `tools` policy (400). */
  ToolsDisabled = 'tools_disabled',
  /** No such confirmation for this caller: absent, another tenant's, or another user's (404). */
  ConfirmationNotFound = 'tool_confirmation_not_found',
  /** The confirmation was already approved, denied or expired (409). */
  ConfirmationDecided = 'tool_confirmation_already_decided',
  /** The confirmation's async job was cancelled or has expired (or otherwise finished): nothing is resumed (409). */
  ConfirmationJobFinished = 'tool_confirmation_job_finished',
  /** `arguments` sent, but the tenant's policy does not allow editing them (403). */
  ArgumentEditNotAllowed = 'argument_edit_not_allowed',
  /** `arguments` names a call that is not pending in this confirmation (400). */
  InvalidEditedArguments = 'invalid_edited_arguments',
}

export class ToolLoopException extends ConduitException<ToolLoopErrorCode> {}
