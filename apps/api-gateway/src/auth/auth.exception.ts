import { ConduitException } from '@conduit/runtime';

export enum AuthErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
}

export class AuthException extends ConduitException<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message, undefined, { 'www-authenticate': 'Bearer' });
  }
}
