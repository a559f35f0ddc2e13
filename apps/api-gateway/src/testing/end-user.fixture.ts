import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import { mintApiKey } from '@conduit/contracts';
import type { PrismaClient } from '@conduit/db';

/** A key (and its own user) in `tenant` with the given scopes, e.g. `act_for_users` for a service key. */
export async function createScopedKey(prisma: PrismaClient, tenant: { id: string }, scopes: string[]): Promise<{ userId: string; authHeader: string }> {
  const tag = randomBytes(6).toString('hex');
  const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `service-${tag}@example.test`, name: `Service ${tag}` } });
  const minted = mintApiKey();
  await prisma.apiKey.create({ data: { tenantId: tenant.id, userId: user.id, name: `service key ${tag}`, prefix: minted.prefix, keyHash: minted.hash, scopes } });
  return { userId: user.id, authHeader: `Bearer ${minted.key}` };
}

/** An identity provider in the test: a JWKS served over loopback HTTP and a signer for its tokens. */
export interface TestIssuer {
  issuer: string;
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** A token signed by this issuer's key (RS256): `exp` in an hour unless `expiresAt` (seconds) says otherwise. */
  sign(claims: JWTPayload & { aud: string | string[] }, options?: { expiresAt?: number; key?: 'own' | 'foreign' }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const own = await generateKeyPair('RS256');
  // Another key under the same key id: a token signed with it has a bad signature.
  const foreign = await generateKeyPair('RS256');
  const kid = `kid-${randomBytes(4).toString('hex')}`;
  const publicJwk: JWK = { ...(await exportJWK(own.publicKey)), kid, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((_request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://issuer-${randomBytes(4).toString('hex')}.example.test/`;
  return {
    issuer,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    sign: (claims, options = {}) => {
      const key: KeyLike = options.key === 'foreign' ? foreign.privateKey : own.privateKey;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 3_600)
        .sign(key);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
