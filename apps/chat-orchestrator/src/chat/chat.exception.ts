import { ConduitException } from '@conduit/runtime';

export enum ChatErrorCode {
  MissingContext = 'missing_context',
  SessionNotFound = 'session_not_found',
  UpstreamUnavailable = 'upstream_unavailable',
  AllBreakersOpen = 'all_breakers_open',
  UpstreamRejected = 'upstream_rejected',
  UpstreamError = 'upstream_error',
  NoProvider = 'no_provider_configured',
  /** A parameter the chosen provider cannot take in this combination (e.g. JSON `response_format` with tools on Anthropic). */
  UnsupportedParameter = 'unsupported_parameter',
  /** `conduit.validate_json`: the answer was not valid JSON for the `response_format`, twice. */
  InvalidModelOutput = 'invalid_model_output',
}

export class ChatException extends ConduitException<ChatErrorCode> {}
