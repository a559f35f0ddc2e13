import { ConduitException } from '@conduit/runtime';

export enum ChatErrorCode {
  MaxTokensTooLarge = 'max_tokens_too_large',
  InvalidSessionHeader = 'invalid_request',
  OrchestratorUnavailable = 'orchestrator_unavailable',
  UnsupportedExtension = 'unsupported_extension',
  UnsupportedParameter = 'unsupported_parameter',
  ImageTooLarge = 'image_too_large',
  TooManyImages = 'too_many_images',
  InvalidImage = 'invalid_image',
  InvalidImageUrl = 'invalid_image_url',
}

export class ChatException extends ConduitException<ChatErrorCode> {}
