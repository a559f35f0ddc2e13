import { randomBytes, randomUUID } from 'node:crypto';
import type { Job, Prisma, PrismaClient } from '@conduit/db';
import { createTestOwner, removeTestOwners, type TestOwner } from '@conduit/testing';

export type { TestOwner };

/** A new tenant with one user. */
export const createOwner = (prisma: PrismaClient): Promise<TestOwner> => createTestOwner(prisma, 'jobs-test');

export const removeOwners = removeTestOwners;

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
