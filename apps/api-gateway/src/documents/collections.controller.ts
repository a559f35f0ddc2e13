import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { collectionScopeId, Prisma, PrismaService, visibleCollectionOrder, visibleCollectionWhere } from '@conduit/db';
import { ZodPipe } from '@conduit/runtime';
import { AuthErrorCode, AuthException } from '../auth/auth.exception';
import { CurrentPrincipal, isTenantAdmin, Principal } from '../auth/principal';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { CollectionObject, CreateCollectionBody, createCollectionBodySchema, toCollectionObject } from './collections.dto';
import { DOCUMENTS_OPTIONS, DocumentsOptions } from './documents.constants';
import { DocumentsException } from './documents.exception';

const MAX_COLLECTIONS_LISTED = 100;

/**
 * `/v1/collections`: the collections the caller sees — their own private ones and the tenant's
 * shared ones. Anyone creates a private collection (an upload also does, on first use); only a
 * tenant admin creates a `tenant` one (403 `tenant_admin_required`). Another user's private
 * collection answers 404, like another tenant's.
 */
@Controller('v1/collections')
export class CollectionsController {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(DOCUMENTS_OPTIONS) private readonly options: DocumentsOptions,
  ) {}

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createCollectionBodySchema)) body: CreateCollectionBody): Promise<CollectionObject> {
    if (body.visibility === 'tenant' && !isTenantAdmin(principal)) {
      throw new AuthException(AuthErrorCode.TenantAdminRequired, 'Only a tenant admin may create a collection shared with the whole tenant.');
    }
    try {
      const collection = await this.prisma.collection.create({
        data: {
          tenantId: principal.tenantId,
          ownerUserId: principal.userId,
          visibility: body.visibility,
          scopeId: collectionScopeId(body.visibility, principal.tenantId, principal.userId),
          name: body.name,
          embeddingModel: this.options.embedding.model,
          embeddingDimension: this.options.embedding.dimension,
        },
      });
      return toCollectionObject(collection, principal.userId);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw DocumentsException.collectionExists(body.name, body.visibility);
      throw error;
    }
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<ListPage<CollectionObject>> {
    const rows = await this.prisma.collection.findMany({
      where: visibleCollectionWhere(principal.tenantId, principal.userId),
      orderBy: [{ name: 'asc' }, visibleCollectionOrder, { id: 'asc' }],
      take: MAX_COLLECTIONS_LISTED + 1,
    });
    return toListPage(rows, MAX_COLLECTIONS_LISTED, (row) => toCollectionObject(row, principal.userId));
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CollectionObject> {
    const collection = isUuid(id) ? await this.prisma.collection.findFirst({ where: { ...visibleCollectionWhere(principal.tenantId, principal.userId), id } }) : null;
    if (!collection) throw DocumentsException.collectionNotFound(id);
    return toCollectionObject(collection, principal.userId);
  }
}
