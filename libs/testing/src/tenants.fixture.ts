import { randomBytes } from 'node:crypto';
import { Message, MessageRole, Prisma, PrismaClient, Session, Tenant, Tier, User, UserRole } from '@conduit/db';
import { mintApiKey } from '@conduit/contracts';
import { removeTenantIds } from './remove-tenants';

/** Anything with a tenant and a user, e.g. the result of {@link createTenantWithUser}. */
export interface Owner {
  tenant: { id: string };
  user: { id: string };
}

export interface UserWithKey {
  user: User;
  /** The plain API key (only its hash is stored). */
  apiKey: string;
  /** `Bearer <apiKey>`, ready for the `authorization` header. */
  authHeader: string;
}

export interface TenantWithUser extends UserWithKey {
  tenant: Tenant;
}

const suffix = (): string => randomBytes(6).toString('hex');

/** A new tenant (unique slug) with one user (a member unless `role` says otherwise) and an API key for that user. */
export async function createTenantWithUser(prisma: PrismaClient, options: { tier?: Tier; role?: UserRole } = {}): Promise<TenantWithUser> {
  const tag = suffix();
  const tenant = await prisma.tenant.create({
    data: { name: `Test tenant ${tag}`, slug: `test-${tag}`, tier: options.tier ?? Tier.free },
  });
  return { tenant, ...(await createUserWithKey(prisma, tenant, { tier: options.tier, role: options.role })) };
}

/** Another user (unique email) with an API key, in an existing tenant. */
export async function createUserWithKey(
  prisma: PrismaClient,
  tenant: { id: string },
  options: { tier?: Tier; role?: UserRole } = {},
): Promise<UserWithKey> {
  const tag = suffix();
  const user = await prisma.user.create({
    data: { tenantId: tenant.id, email: `user-${tag}@example.test`, name: `User ${tag}`, tier: options.tier ?? Tier.free, role: options.role ?? UserRole.member },
  });
  const minted = mintApiKey();
  await prisma.apiKey.create({
    data: { tenantId: tenant.id, userId: user.id, name: `test key ${tag}`, prefix: minted.prefix, keyHash: minted.hash },
  });
  return { user, apiKey: minted.key, authHeader: `Bearer ${minted.key}` };
}

export function createSession(
  prisma: PrismaClient,
  owner: Owner,
  overrides: Partial<Omit<Prisma.SessionUncheckedCreateInput, 'tenantId' | 'userId'>> = {},
): Promise<Session> {
  return prisma.session.create({ data: { title: 'Test session', ...overrides, tenantId: owner.tenant.id, userId: owner.user.id } });
}

/** A message in a session, owned by the session's tenant and user (assistant by default). */
export function createMessage(
  prisma: PrismaClient,
  session: Pick<Session, 'id' | 'tenantId' | 'userId'>,
  overrides: Partial<Omit<Prisma.MessageUncheckedCreateInput, 'sessionId' | 'tenantId' | 'userId'>> = {},
): Promise<Message> {
  return prisma.message.create({
    data: {
      role: MessageRole.assistant,
      content: 'Hello from the test assistant.',
      ...overrides,
      sessionId: session.id,
      tenantId: session.tenantId,
      userId: session.userId,
    },
  });
}

/** Deletes tenants and, by cascade, everything they own. */
export async function removeTenants(prisma: PrismaClient, tenants: { id: string }[]): Promise<void> {
  if (tenants.length === 0) return;
  await removeTenantIds(prisma, tenants.map((tenant) => tenant.id));
}
