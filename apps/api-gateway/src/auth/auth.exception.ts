import { ConduitException } from '@conduit/runtime';

export enum AuthErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
}

export class AuthException extends ConduitException {
  constructor(code: AuthErrorCode, message: string) {
    super(code, 401, message, undefined, { 'www-authenticate': 'Bearer' });
  }
}
