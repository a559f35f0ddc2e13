import { randomBytes, randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { BlobStore } from '@conduit/blob-store';
import { DocumentMediaType } from '@conduit/contracts';
import type { Collection, Document, PrismaClient, Tenant, User } from '@conduit/db';

export interface DocumentFixture {
  tenant: Tenant;
  user: User;
  collection: Collection;
  document: Document;
}

/** Capitalised sentences in paragraphs, deterministic for a seed: good chunker input. */
export function articleText(paragraphs: number, seed = 1): string {
  const words = ['vector', 'search', 'retrieval', 'chunk', 'token', 'embedding', 'index', 'document', 'batch', 'worker', 'queue', 'tenant'];
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
  const sentence = () => {
    const length = 6 + (next() % 10);
    const body = Array.from({ length }, () => words[next() % words.length]).join(' ');
    return `${body.charAt(0).toUpperCase()}${body.slice(1)}.`;
  };
  return Array.from({ length: paragraphs }, () => Array.from({ length: 3 + (next() % 4) }, sentence).join(' ')).join('\n\n');
}

/**
 * `length` bytes of pseudo-random lowercase letters, one "word" without spaces: the costliest
 * text per byte to tokenize (no piece repeats, no piece is one token), for tests that need a
 * document to take long.
 */
export function randomLetters(length: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  // xorshift32: exact 32-bit integer steps (a multiplicative generator in doubles loses its low
  // bits and falls into short cycles, which the tokenizer's piece cache then makes cheap).
  let state = seed >>> 0 || 1;
  for (let at = 0; at < length; at += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[at] = 97 + ((state >>> 0) % 26);
  }
  return bytes;
}

/** A tenant, a user, the user's private collection (hashing-v2/384 unless told) and a `queued` document whose bytes are in the blob store. */
export async function createDocumentFixture(
  prisma: PrismaClient,
  blobs: BlobStore,
  options: { bytes: Buffer; mediaType?: DocumentMediaType; model?: string; dimension?: number },
): Promise<DocumentFixture> {
  const tag = randomBytes(6).toString('hex');
  const tenant = await prisma.tenant.create({ data: { name: `Ingest ${tag}`, slug: `ingest-${tag}` } });
  const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `ingest-${tag}@example.test` } });
  const collection = await prisma.collection.create({
    data: {
      tenantId: tenant.id,
      ownerUserId: user.id,
      scopeId: user.id, // private to the user
      name: `docs-${tag}`,
      embeddingModel: options.model ?? 'hashing-v2',
      embeddingDimension: options.dimension ?? 384,
    },
  });
  const id = randomUUID();
  const blobKey = `documents/${tenant.id}/${id}`;
  await blobs.put(blobKey, options.bytes);
  const document = await prisma.document.create({
    data: {
      id,
      tenantId: tenant.id,
      userId: user.id,
      collectionId: collection.id,
      filename: `doc-${tag}`,
      mediaType: options.mediaType ?? DocumentMediaType.Text,
      sizeBytes: options.bytes.length,
      sha256: createHash('sha256').update(options.bytes).digest('hex'),
      blobKey,
    },
  });
  return { tenant, user, collection, document };
}
