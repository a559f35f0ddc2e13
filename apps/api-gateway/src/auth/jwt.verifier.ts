import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { EndUserResolver, validEndUserId } from './end-user.resolver';
import { JwtErrorCode, JwtException } from './jwt.exception';
import { JWT_SCOPES, type Principal } from './principal';
import { TenantAuthStore, type TenantJwtIssuer } from './tenant-auth.store';

/** Asymmetric algorithms only: a JWKS URL never holds a shared secret, and `none` is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_S = 5;
const JWKS_TIMEOUT_MS = 5_000;
/** Keys are refetched at most this often when a token names an unknown key (rotation). */
const JWKS_COOLDOWN_MS = 30_000;
/** Keys are refetched at the latest after this. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_MAX_ENTRIES = 1_000;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Whether a bearer credential is a JWT (three base64url parts) rather than a Conduit API key. */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

const audiencesOf = (payload: JWTPayload): string[] => (Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud]);

/**
 * Signs in the end users of a tenant's browser and mobile clients with the tenant's own JWTs: the
 * token's issuer and audience find the tenant, the issuer's JWKS (fetched, cached and refreshed by
 * `jose`) checks the signature, and the tenant's user claim names the end user.
 */
@Injectable()
export class JwtVerifier {
  private readonly logger = new Logger(JwtVerifier.name);
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly tenants: TenantAuthStore,
    private readonly endUsers: EndUserResolver,
  ) {}

  async principalFor(token: string): Promise<Principal> {
    const tenant = await this.tenantFor(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(tenant.jwks_url), {
        issuer: tenant.issuer,
        audience: tenant.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw this.refusal(error, tenant);
    }
    const claim = payload[tenant.user_claim];
    let externalId: string;
    try {
      externalId = validEndUserId(typeof claim === 'number' ? String(claim) : claim, tenant.user_claim);
    } catch {
      throw new JwtException(JwtErrorCode.TokenUserClaimMissing, `The token must name the user in its "${tenant.user_claim}" claim.`);
    }
    return this.endUsers.asEndUser({ tenantId: tenant.tenantId, apiKeyId: null, tenantTier: tenant.tenantTier, scopes: JWT_SCOPES }, externalId);
  }

  /** The tenant the (not yet verified) token claims to be for: its issuer, then its audience. */
  private async tenantFor(token: string): Promise<TenantJwtIssuer> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new JwtException(JwtErrorCode.InvalidToken, 'The bearer token is not a well-formed JWT.');
    }
    if (typeof claims.iss !== 'string') throw new JwtException(JwtErrorCode.InvalidToken, 'The token has no issuer (iss).');
    const candidates = await this.tenants.tenantsOfIssuer(claims.iss);
    if (candidates.length === 0) throw new JwtException(JwtErrorCode.TokenIssuerUnknown, 'No tenant accepts tokens from this issuer.');
    const audiences = audiencesOf(claims);
    const matching = candidates.filter((candidate) => audiences.includes(candidate.audience));
    if (matching.length === 1) return matching[0];
    if (matching.length > 1) throw new JwtException(JwtErrorCode.TokenAudienceMismatch, 'The token is meant for more than one tenant.');
    // One tenant of that issuer: verify against it, so a bad signature is told apart from a wrong audience.
    if (candidates.length === 1) return candidates[0];
    throw new JwtException(JwtErrorCode.TokenAudienceMismatch, 'The token is not meant for this API (aud).');
  }

  private keySet(url: string): ReturnType<typeof createRemoteJWKSet> {
    let keySet = this.keySets.get(url);
    if (!keySet) {
      if (this.keySets.size >= JWKS_MAX_ENTRIES) this.keySets.clear();
      keySet = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS, cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS });
      this.keySets.set(url, keySet);
    }
    return keySet;
  }

  private refusal(error: unknown, tenant: TenantJwtIssuer): JwtException {
    if (error instanceof errors.JWTExpired) return new JwtException(JwtErrorCode.TokenExpired, 'The token has expired.');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'aud') return new JwtException(JwtErrorCode.TokenAudienceMismatch, 'The token is not meant for this API (aud).');
      return new JwtException(JwtErrorCode.InvalidToken, `The token's "${error.claim}" claim is not acceptable.`);
    }
    if (
      error instanceof errors.JWSSignatureVerificationFailed ||
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys ||
      error instanceof errors.JOSEAlgNotAllowed ||
      error instanceof errors.JOSENotSupported ||
      error instanceof errors.JWSInvalid ||
      error instanceof errors.JWTInvalid ||
      error instanceof errors.JWKInvalid
    ) {
      return new JwtException(JwtErrorCode.InvalidToken, 'The token signature could not be verified.');
    }
    // Timeouts, network errors, a non-200 answer or a JWKS that is not one: the IdP's side.
    this.logger.warn({ err: error, tenant_id: tenant.tenantId, jwks_url: tenant.jwks_url }, 'could not fetch the JWKS of a tenant');
    return new JwtException(JwtErrorCode.JwksUnavailable, 'The signing keys of the token issuer could not be fetched; try again shortly.');
  }
}
