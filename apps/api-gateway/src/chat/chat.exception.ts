import { ConduitException } from '@conduit/runtime';

export enum ChatErrorCode {
  MaxTokensTooLarge = 'max_tokens_too_large',
  InvalidSessionHeader = 'invalid_request',
  OrchestratorUnavailable = 'orchestrator_unavailable',
  UnsupportedExtension = 'unsupported_extension',
}

export class ChatException extends ConduitException<ChatErrorCode> {}
