import { ConduitException } from '@conduit/runtime';

export enum ChatErrorCode {
  MissingContext = 'missing_context',
  SessionNotFound = 'session_not_found',
  UpstreamUnavailable = 'upstream_unavailable',
  AllBreakersOpen = 'all_breakers_open',
  UpstreamRejected = 'upstream_rejected',
  UpstreamError = 'upstream_error',
  NoProvider = 'no_provider_configured',
  UnsupportedParameter = 'unsupported_parameter',
}

export class ChatException extends ConduitException<ChatErrorCode> {}
