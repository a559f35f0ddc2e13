import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DocumentMediaType } from '@conduit/contracts';
import { BLOB_STORE, type BlobStore } from '@conduit/blob-store';
import { Collection, collectionScopeId, DocumentStatus, Prisma, PrismaService, visibleCollectionOrder, visibleCollectionWhere } from '@conduit/db';
import { DocumentIngestProducer } from '@conduit/documents';
import { VECTOR_STORE, VectorSpaceNotFoundError, vectorSpaceFor, type VectorStore } from '@conduit/vector-store';
import type { Principal } from '../auth/principal';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { DOCUMENTS_OPTIONS, DocumentsOptions } from './documents.constants';
import { DeletedDocumentObject, DocumentObject, ListDocumentsQuery, toDocumentObject } from './documents.dto';
import { DocumentsErrorCode, DocumentsException } from './documents.exception';

/** Whose documents a query may touch: every query filters by both. */
export type Owner = Pick<Principal, 'tenantId' | 'userId'>;

export interface NewUpload {
  collection: string;
  filename: string;
  mediaType: DocumentMediaType;
  bytes: Buffer;
}

const withCollection = { collection: { select: { name: true } } } as const;
const WORKING: DocumentStatus[] = [DocumentStatus.queued, DocumentStatus.parsing, DocumentStatus.chunking, DocumentStatus.embedding];

/**
 * Documents of the calling user. An upload goes into the caller's private collection of that name
 * (created on first use), or else into the tenant's shared collection of that name (created by a
 * tenant admin, `POST /v1/collections`); another user's private collection is never seen. Documents
 * are managed by the user who uploaded them: another user's document, like another tenant's,
 * answers 404.
 */
@Injectable()
export class DocumentsService {
  private readonly logger = new Logger('DocumentsService');

  constructor(
    private readonly prisma: PrismaService,
    private readonly ingest: DocumentIngestProducer,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VECTOR_STORE) private readonly vectors: VectorStore,
    @Inject(DOCUMENTS_OPTIONS) private readonly options: DocumentsOptions,
  ) {}

  /** Stores the bytes, records the document `queued` and enqueues its ingestion. */
  async upload(owner: Owner, upload: NewUpload): Promise<DocumentObject> {
    const collection = await this.collectionFor(owner, upload.collection);
    const id = randomUUID();
    const blobKey = `documents/${owner.tenantId}/${id}`;
    await this.blobs.put(blobKey, upload.bytes);
    const data: Prisma.DocumentUncheckedCreateInput = {
      id,
      tenantId: owner.tenantId,
      userId: owner.userId,
      collectionId: collection.id,
      filename: upload.filename,
      mediaType: upload.mediaType,
      sizeBytes: upload.bytes.length,
      sha256: createHash('sha256').update(upload.bytes).digest('hex'),
      blobKey,
      attempts: 1,
    };
    let document;
    try {
      document = await this.prisma.document.create({ data, include: withCollection });
    } catch (error) {
      await this.blobs.delete(blobKey).catch(() => undefined);
      throw error;
    }
    try {
      await this.enqueue(owner.tenantId, id, 1);
    } catch (error) {
      this.logger.error({ document_id: id, err: error }, 'could not enqueue ingestion; upload undone');
      await this.prisma.document.delete({ where: { id } });
      await this.blobs.delete(blobKey);
      throw DocumentsException.unavailable('ingestion queue');
    }
    this.logger.log({ document_id: id, collection: collection.name, media_type: upload.mediaType, size_bytes: upload.bytes.length }, 'document queued');
    return toDocumentObject(document);
  }

  /** Newest first; ties on `created_at` are broken by id so pages never skip or repeat. */
  async list(owner: Owner, query: ListDocumentsQuery): Promise<ListPage<DocumentObject>> {
    const where: Prisma.DocumentWhereInput = { ...this.ownedBy(owner) };
    if (query.collection) where.collection = { ...visibleCollectionWhere(owner.tenantId, owner.userId), name: query.collection };
    if (query.status) where.status = query.status;
    if (query.after) {
      const cursor = await this.prisma.document.findFirst({ where: { ...this.ownedBy(owner), id: query.after }, select: { id: true, createdAt: true } });
      if (!cursor) throw DocumentsException.invalidCursor();
      where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    const rows = await this.prisma.document.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
      include: withCollection,
    });
    return toListPage(rows, query.limit, toDocumentObject);
  }

  async get(owner: Owner, id: string): Promise<DocumentObject> {
    if (!isUuid(id)) throw DocumentsException.notFound(id);
    const document = await this.prisma.document.findFirst({ where: { ...this.ownedBy(owner), id }, include: withCollection });
    if (!document) throw DocumentsException.notFound(id);
    return toDocumentObject(document);
  }

  /**
   * Removes the document's vectors, then its row (chunks cascade), then its blob. A worker still
   * ingesting it notices the row is gone at its next commit and removes what it upserted since.
   */
  async delete(owner: Owner, id: string): Promise<DeletedDocumentObject> {
    const document = await this.findOwned(owner, id);
    await this.removeVectors(document.tenantId, document.id, document.collection);
    const { count } = await this.prisma.document.deleteMany({ where: { ...this.ownedBy(owner), id } });
    if (count === 0) throw DocumentsException.notFound(id);
    await this.blobs.delete(document.blobKey).catch((error: unknown) =>
      this.logger.warn({ document_id: id, err: error }, 'document deleted but its blob could not be removed'),
    );
    return { id, object: 'document.deleted', deleted: true };
  }

  /** Erasure: deletes every document of the owner as {@link delete} does. Idempotent: a re-run finishes what a failed one left. */
  async deleteAllOf(owner: Owner): Promise<number> {
    const ids = await this.prisma.document.findMany({ where: this.ownedBy(owner), select: { id: true } });
    let deleted = 0;
    for (const { id } of ids) {
      const done = await this.delete(owner, id).catch((error: unknown) => {
        if (error instanceof DocumentsException && error.code === DocumentsErrorCode.DocumentNotFound) return null; // deleted meanwhile
        throw error;
      });
      if (done) deleted += 1;
    }
    return deleted;
  }

  /** Starts ingestion over (new attempt): vectors and chunks are dropped, the stored file is parsed again. */
  async reindex(owner: Owner, id: string): Promise<DocumentObject> {
    const document = await this.findOwned(owner, id);
    if (WORKING.includes(document.status)) throw DocumentsException.busy(id, document.status);
    await this.removeVectors(document.tenantId, document.id, document.collection);
    const attempt = document.attempts + 1;
    const updated = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.document.updateMany({
        where: { id, attempts: document.attempts, status: { notIn: WORKING } },
        data: { attempts: attempt, status: DocumentStatus.queued, error: null, chunksDone: 0, chunksTotal: 0, indexedAt: null },
      });
      if (count === 0) throw DocumentsException.busy(id, 'queued');
      await tx.documentChunk.deleteMany({ where: { documentId: id } });
      return tx.document.findUniqueOrThrow({ where: { id }, include: withCollection });
    });
    try {
      await this.enqueue(document.tenantId, id, attempt);
    } catch (error) {
      this.logger.error({ document_id: id, err: error }, 'could not enqueue reindex');
      await this.prisma.document.updateMany({
        where: { id, attempts: attempt },
        data: { status: DocumentStatus.failed, error: 'the reindex could not be queued; ask for a reindex again' },
      });
      throw DocumentsException.unavailable('ingestion queue');
    }
    return toDocumentObject(updated);
  }

  /**
   * The collection of that name the caller sees (their private one first, then the tenant's shared
   * one); a new private collection, with the current embedding model, when there is neither.
   */
  private async collectionFor(owner: Owner, name: string): Promise<Collection> {
    const { model, dimension } = this.options.embedding;
    const visible = () =>
      this.prisma.collection.findFirst({ where: { ...visibleCollectionWhere(owner.tenantId, owner.userId), name }, orderBy: visibleCollectionOrder });
    let collection = await visible();
    if (!collection) {
      try {
        collection = await this.prisma.collection.create({
          data: {
            tenantId: owner.tenantId,
            ownerUserId: owner.userId,
            visibility: 'private',
            scopeId: collectionScopeId('private', owner.tenantId, owner.userId),
            name,
            embeddingModel: model,
            embeddingDimension: dimension,
          },
        });
      } catch (error) {
        // Created concurrently by another upload of the same user.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
        collection = await visible();
        if (!collection) throw error;
      }
    }
    if (collection.embeddingModel !== model || collection.embeddingDimension !== dimension) {
      throw DocumentsException.embeddingModelMismatch(name, { model: collection.embeddingModel, dimension: collection.embeddingDimension }, { model, dimension });
    }
    return collection;
  }

  private async enqueue(tenantId: string, documentId: string, attempt: number): Promise<void> {
    await this.ingest.enqueue({ id: documentId, tenantId }, attempt);
  }

  private async removeVectors(tenantId: string, documentId: string, collection: Pick<Collection, 'embeddingModel' | 'embeddingDimension'>) {
    try {
      await this.vectors.deleteDocument(vectorSpaceFor(collection.embeddingModel, collection.embeddingDimension), tenantId, documentId);
    } catch (error) {
      if (error instanceof VectorSpaceNotFoundError) return; // nothing was ever embedded in this space
      this.logger.error({ document_id: documentId, err: error }, 'could not delete document vectors');
      throw DocumentsException.unavailable('vector store');
    }
  }

  private async findOwned(owner: Owner, id: string) {
    if (!isUuid(id)) throw DocumentsException.notFound(id);
    const document = await this.prisma.document.findFirst({
      where: { ...this.ownedBy(owner), id },
      include: { collection: { select: { name: true, embeddingModel: true, embeddingDimension: true } } },
    });
    if (!document) throw DocumentsException.notFound(id);
    return document;
  }

  private ownedBy(owner: Owner) {
    return { tenantId: owner.tenantId, userId: owner.userId };
  }
}
