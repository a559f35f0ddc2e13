export { DbModule } from './db.module';
export type { DbModuleAsyncOptions } from './db.module';
export type { DbModuleOptions } from './db.constants';
export { PrismaService } from './prisma.service';
export { PostgresReadiness } from './postgres.readiness';
export { createPrismaClient } from './prisma-client.factory';
// Generated client: PrismaClient, the Prisma namespace (Prisma.Decimal, Prisma.JsonValue,
// Prisma.TenantCreateInput, ...), model types (Tenant, User, ApiKey, Session, Message,
// UsageEvent, ...) and enums (Tier, MessageRole, MessageStatus, $Enums).
export * from './generated/client';
export { selectList } from './sql-columns';
export { collectionScopeId, visibleCollectionOrder, visibleCollectionWhere } from './collection-visibility';
