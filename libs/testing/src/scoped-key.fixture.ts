import { randomBytes } from 'node:crypto';
import { mintApiKey } from '@conduit/contracts';
import type { PrismaClient } from '@conduit/db';

/** A key (and its own user) in `tenant` with the given scopes, e.g. `act_for_users` for an application's service key. */
export async function createScopedKey(
  prisma: PrismaClient,
  tenant: { id: string },
  scopes: string[],
): Promise<{ userId: string; apiKey: string; authHeader: string }> {
  const tag = randomBytes(6).toString('hex');
  const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `service-${tag}@example.test`, name: `Service ${tag}` } });
  const minted = mintApiKey();
  await prisma.apiKey.create({ data: { tenantId: tenant.id, userId: user.id, name: `service key ${tag}`, prefix: minted.prefix, keyHash: minted.hash, scopes } });
  return { userId: user.id, apiKey: minted.key, authHeader: `Bearer ${minted.key}` };
}
