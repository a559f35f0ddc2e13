import { ConduitException } from '@conduit/runtime';

export enum JwtErrorCode {
  /** Malformed, unsigned, signed by no key of the issuer's JWKS, or a claim other than `exp`/`aud` is wrong. */
  InvalidToken = 'invalid_token',
  TokenExpired = 'token_expired',
  TokenAudienceMismatch = 'token_audience_mismatch',
  /** No tenant signs in with tokens from this issuer. */
  TokenIssuerUnknown = 'token_issuer_unknown',
  /** The token does not carry the claim the tenant names its users by (or it is not a valid end-user id). */
  TokenUserClaimMissing = 'token_user_claim_missing',
  /** The issuer's JWKS could not be fetched or read: the token could not be checked. */
  JwksUnavailable = 'jwks_unavailable',
}

export class JwtException extends ConduitException<JwtErrorCode> {
  constructor(code: JwtErrorCode, message: string) {
    // Like a bad API key, a refused token (401) says how to authenticate.
    super(code, message, undefined, code === JwtErrorCode.JwksUnavailable ? undefined : { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
}
