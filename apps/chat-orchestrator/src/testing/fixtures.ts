import { randomBytes, randomUUID } from 'node:crypto';
import type { Job, Prisma, PrismaClient } from '@conduit/db';

export interface TestOwner {
  tenantId: string;
  userId: string;
}

/** A new tenant with one user. */
export async function createOwner(prisma: PrismaClient): Promise<TestOwner> {
  const tag = randomBytes(6).toString('hex');
  const tenant = await prisma.tenant.create({ data: { name: `Jobs test ${tag}`, slug: `jobs-test-${tag}` } });
  const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `jobs-${tag}@example.test` } });
  return { tenantId: tenant.id, userId: user.id };
}

export const chatInput = (content: string, model = 'default') => ({ model, messages: [{ role: 'user', content }] });

/** A job row as the gateway stores it on submission (queued, not yet enqueued). */
export function createJobRow(prisma: PrismaClient, owner: TestOwner, overrides: Partial<Prisma.JobUncheckedCreateInput> = {}): Promise<Job> {
  const now = new Date();
  return prisma.job.create({
    data: {
      id: randomUUID(),
      tenantId: owner.tenantId,
      userId: owner.userId,
      type: 'chat.completion',
      input: chatInput('Hello from a test job'),
      requestHash: '0'.repeat(64),
      requestId: `req-${randomBytes(4).toString('hex')}`,
      maxAttempts: 3,
      deadlineAt: new Date(now.getTime() + 60_000),
      ...overrides,
    },
  });
}

export async function removeOwners(prisma: PrismaClient, owners: TestOwner[]): Promise<void> {
  if (owners.length > 0) await prisma.tenant.deleteMany({ where: { id: { in: owners.map((o) => o.tenantId) } } });
}

export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await probe();
  }
  return value;
}
