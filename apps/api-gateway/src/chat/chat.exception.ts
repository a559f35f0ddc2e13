import { ConduitException } from '@conduit/runtime';

export enum ChatErrorCode {
  MaxTokensTooLarge = 'max_tokens_too_large',
  InvalidSessionHeader = 'invalid_request',
  OrchestratorUnavailable = 'orchestrator_unavailable',
  UnsupportedExtension = 'unsupported_extension',
  /** Not a confirmation id (the orchestrator answers the same code for one the caller may not see). */
  ToolConfirmationNotFound = 'tool_confirmation_not_found',
  UnsupportedParameter = 'unsupported_parameter',
  ImageTooLarge = 'image_too_large',
  TooManyImages = 'too_many_images',
  InvalidImage = 'invalid_image',
  InvalidImageUrl = 'invalid_image_url',
}

export class ChatException extends ConduitException<ChatErrorCode> {}
