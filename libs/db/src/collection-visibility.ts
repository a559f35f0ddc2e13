import type { Prisma } from './generated/client';

/**
 * The collections a user sees: their own private ones and their tenant's shared ones. Every lookup
 * of a collection for a user (uploads, retrieval, the collections API) goes through this filter; a
 * name held by both resolves to the private one (`orderBy: visibleCollectionOrder`).
 */
export function visibleCollectionWhere(tenantId: string, userId: string): Prisma.CollectionWhereInput {
  return {
    tenantId,
    OR: [
      { visibility: 'private', scopeId: userId },
      { visibility: 'tenant', scopeId: tenantId },
    ],
  };
}

/** Private before tenant (the enum's order): a user's own collection wins over a shared one of the same name. */
export const visibleCollectionOrder: Prisma.CollectionOrderByWithRelationInput = { visibility: 'asc' };

/** `scopeId` of a new collection: the owner for a private one, the tenant for a shared one (names are unique per scope). */
export function collectionScopeId(visibility: 'private' | 'tenant', tenantId: string, ownerUserId: string): string {
  return visibility === 'private' ? ownerUserId : tenantId;
}
