import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { DocumentIngestProducer } from '@conduit/documents';
import { CollectionsController } from './collections.controller';
import { DOCUMENTS_OPTIONS, DocumentsOptions } from './documents.constants';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';

/**
 * Registers `@fastify/multipart` on the app's Fastify instance (once, before it starts), so the
 * module works the same under `bootstrapService` and in the in-process test app. Limits are set
 * per request by the upload route.
 */
@Injectable()
class MultipartRegistration implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasRequestDecorator('isMultipart')) void fastify.register(multipart);
  }
}

/**
 * `/v1/documents` and `/v1/collections`. Needs the global `BlobStoreModule` and `VectorStoreModule` (for deletes and
 * reindexing) besides the service core (Prisma, the job producer under `DocumentIngestProducer`).
 */
@Module({})
export class DocumentsModule {
  static register(options: DocumentsOptions): DynamicModule {
    return {
      module: DocumentsModule,
      controllers: [DocumentsController, CollectionsController],
      providers: [{ provide: DOCUMENTS_OPTIONS, useValue: options }, MultipartRegistration, DocumentsService, DocumentIngestProducer],
      // The admin API's user erasure deletes documents the same way the route does.
      exports: [DocumentsService],
    };
  }
}
