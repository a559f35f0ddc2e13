import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrismaClient, type PrismaClient } from '@conduit/db';
import { createVectorStore, vectorSpaceFor, type ManagedVectorStore } from '@conduit/vector-store';
import { createTenantWithUser, removeTenants, type TenantWithUser } from '@conduit/testing';
import type { RunningService } from './service-process';

/** The vector space of the offline hashing embedder the e2e services use. */
export const HASHING_SPACE = vectorSpaceFor('hashing-v2', 384);

export interface IngestionFixture {
  blobDir: string;
  prisma: PrismaClient;
  vectors: ManagedVectorStore;
  owner: TenantWithUser;
  /** Stops the services, then removes the owner's vectors, rows and the blob directory. */
  close(services: (RunningService | undefined)[]): Promise<void>;
}

/** A blob directory, Postgres and pgvector clients and a tenant with an API key, for ingestion end-to-end tests. */
export async function openIngestionFixture(): Promise<IngestionFixture> {
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-e2e-blobs-'));
  const prisma = createPrismaClient(databaseUrl, 2);
  const vectors = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 });
  const owner = await createTenantWithUser(prisma);
  return {
    blobDir,
    prisma,
    vectors,
    owner,
    close: async (services) => {
      await Promise.all(services.map((service) => service?.stop('SIGKILL')));
      for (const { id } of await prisma.document.findMany({ where: { tenantId: owner.tenant.id }, select: { id: true } })) {
        await vectors.deleteDocument(HASHING_SPACE, owner.tenant.id, id);
      }
      await removeTenants(prisma, [owner.tenant]);
      await prisma.$disconnect();
      await vectors.close();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
