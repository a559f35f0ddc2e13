import { spawnSync } from 'node:child_process';
import { createPrismaClient, PrismaClient } from '@conduit/db';
import { createTenantWithUser, removeTenants, TenantWithUser } from '@conduit/testing';
import { baseEnv, ROOT } from './support/service-process';

/** The built admin CLI, with the test's database. */
function admin(args: string[]) {
  const result = spawnSync('node', ['dist/apps/api-gateway/src/cli/admin.js', ...args], { cwd: ROOT, env: baseEnv(), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe("admin CLI: a tenant's JWT sign-in", () => {
  let prisma: PrismaClient;
  let acme: TenantWithUser;
  let other: TenantWithUser;

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    acme = await createTenantWithUser(prisma);
    other = await createTenantWithUser(prisma);
  });

  afterAll(async () => {
    await removeTenants(prisma, [acme.tenant, other.tenant]);
    await prisma.$disconnect();
  });

  const settings = (tenant: TenantWithUser, jwksUrl = 'https://login.acme.example.test/.well-known/jwks.json') => [
    '--tenant',
    tenant.tenant.slug,
    '--jwks-url',
    jwksUrl,
    '--issuer',
    `https://login.acme.example.test/${acme.tenant.slug}`,
    '--audience',
    'conduit',
  ];

  it('sets, shows and clears the settings, the user claim defaulting to sub', async () => {
    const set = admin(['set-jwt', ...settings(acme)]);
    expect(set.status).toBe(0);
    const expected = {
      jwks_url: 'https://login.acme.example.test/.well-known/jwks.json',
      issuer: `https://login.acme.example.test/${acme.tenant.slug}`,
      audience: 'conduit',
      user_claim: 'sub',
    };
    expect(JSON.parse(admin(['show-jwt', '--tenant', acme.tenant.slug]).stdout)).toEqual(expected);
    expect(await prisma.tenantAuth.findUnique({ where: { tenantId: acme.tenant.id } })).toMatchObject({ issuer: expected.issuer, userClaim: 'sub' });

    expect(admin(['set-jwt', ...settings(acme), '--user-claim', 'email']).status).toBe(0);
    expect(JSON.parse(admin(['show-jwt', '--tenant', acme.tenant.slug]).stdout)).toMatchObject({ user_claim: 'email' });

    expect(admin(['clear-jwt', '--tenant', acme.tenant.slug]).stdout).toContain('turned off');
    expect(admin(['show-jwt', '--tenant', acme.tenant.slug]).stdout).toBe('null');
  });

  it('refuses a JWKS over plain http off the loopback, and a second tenant with the same issuer and audience', () => {
    const insecure = admin(['set-jwt', ...settings(acme, 'http://login.acme.example.test/jwks.json')]);
    expect(insecure.status).toBe(2);
    expect(insecure.stderr).toContain('--jwks-url: jwks_url must use https');

    expect(admin(['set-jwt', ...settings(acme)]).status).toBe(0);
    const taken = admin(['set-jwt', ...settings(other)]);
    expect(taken.status).toBe(2);
    expect(taken.stderr).toContain('another tenant already signs in with this issuer and audience');
  });
});
