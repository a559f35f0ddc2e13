import { randomBytes } from 'node:crypto';
import { PrismaService, type PrismaClient } from '@conduit/db';
import { removeTenantIds } from './remove-tenants';

/** A tenant and one of its users, by id: whose rows a store test writes and reads. */
export interface TestOwner {
  tenantId: string;
  userId: string;
}

/** A new tenant with one user. */
export async function createTestOwner(prisma: PrismaClient, label = 'test'): Promise<TestOwner> {
  const tag = randomBytes(6).toString('hex');
  const tenant = await prisma.tenant.create({ data: { name: `${label} ${tag}`, slug: `${label}-${tag}` } });
  const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `${label}-${tag}@example.test` } });
  return { tenantId: tenant.id, userId: user.id };
}

/** Another user of the owner's tenant. */
export async function createColleague(prisma: PrismaClient, of: TestOwner): Promise<TestOwner> {
  const user = await prisma.user.create({ data: { tenantId: of.tenantId } });
  return { tenantId: of.tenantId, userId: user.id };
}

/** Deletes the owners' tenants, and with them everything they own. */
export async function removeTestOwners(prisma: PrismaClient, owners: readonly TestOwner[]): Promise<void> {
  await removeTenantIds(prisma, owners.map((o) => o.tenantId));
}

export interface TestDatabase {
  prisma: PrismaService;
  /** The suite's first owner. */
  owner: TestOwner;
  /** Another tenant with one user, removed after the suite like the first. */
  newOwner(): Promise<TestOwner>;
}

/**
 * A PrismaService on `DATABASE_URL` and an owner for a suite (`beforeAll`), both gone after it
 * (`afterAll`: the owners' tenants are deleted with everything they own). Read the fields inside tests.
 */
export function useTestDatabase(label: string, poolSize = 8): TestDatabase {
  const owners: TestOwner[] = [];
  const db = {} as TestDatabase;
  db.newOwner = async () => {
    const created = await createTestOwner(db.prisma, label);
    owners.push(created);
    return created;
  };
  beforeAll(async () => {
    db.prisma = new PrismaService({ url: process.env['DATABASE_URL'] ?? '', poolSize });
    await db.prisma.onModuleInit();
    db.owner = await db.newOwner();
  });
  afterAll(async () => {
    if (!db.prisma) return;
    await removeTestOwners(db.prisma, owners);
    await db.prisma.onApplicationShutdown();
  });
  return db;
}
