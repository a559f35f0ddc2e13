import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import type { ListPage } from '../sessions/list-page';
import { DOCUMENTS_OPTIONS, DocumentsOptions } from './documents.constants';
import { DeletedDocumentObject, DocumentObject, ListDocumentsQuery, listDocumentsQuerySchema } from './documents.dto';
import { DocumentsService } from './documents.service';
import { readUpload } from './multipart.upload';
import { RequireScope } from '../auth/required-scope';

/**
 * The caller's documents for retrieval. Ingestion is asynchronous: an upload answers 202 with
 * status `queued`; poll `GET /v1/documents/:id` until `indexed` or `failed`.
 */
@RequireScope('documents')
@Controller('v1/documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    @Inject(DOCUMENTS_OPTIONS) private readonly options: DocumentsOptions,
  ) {}

  @Post()
  @HttpCode(202)
  async upload(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<DocumentObject> {
    return this.documents.upload(principal, await readUpload(request, this.options.maxUploadBytes));
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listDocumentsQuerySchema)) query: ListDocumentsQuery,
  ): Promise<ListPage<DocumentObject>> {
    return this.documents.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DocumentObject> {
    return this.documents.get(principal, id);
  }

  @Delete(':id')
  delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeletedDocumentObject> {
    return this.documents.delete(principal, id);
  }

  @Post(':id/reindex')
  @HttpCode(202)
  reindex(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DocumentObject> {
    return this.documents.reindex(principal, id);
  }
}
