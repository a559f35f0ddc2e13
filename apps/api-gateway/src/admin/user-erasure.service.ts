import { Injectable, Logger } from '@nestjs/common';
import { LedgerAnonymiser } from '@conduit/budget';
import { ConversationStore } from '@conduit/conversations';
import { JobStore } from '@conduit/jobs';
import { Memories } from '@conduit/memory';
import { ApiKeyRegistry, UserStore } from '@conduit/tenancy';
import { DocumentsService } from '../documents/documents.service';
import { ResponseCacheAdmin } from './response-cache.admin';

export interface ErasureReport {
  object: 'user.erasure';
  user_id: string;
  erased: true;
  deleted: { sessions: number; messages: number; documents: number; jobs: number; memories: number; api_keys_revoked: number; cache_entries: number };
  ledger: { events_anonymised: number; daily_rows_merged: number };
}

/**
 * Erases a user: their content is deleted and their ledger rows are kept, anonymised, so the
 * tenant's totals still add up. The steps run in an order that makes a re-run finish what a failed
 * run left: first the user is marked erased (suspended for good, email and name cleared) and their
 * keys revoked, so nothing new is written as them; then each kind of content is deleted (each step
 * idempotent), the tenant's response cache included (its entries are not indexed by user: any may
 * hold the user's words); last the ledger is anonymised in one transaction.
 *
 * Response cache entries that the user's requests created (per-user scope or not) are purged too,
 * and the user's long-term memories with their vectors.
 */
@Injectable()
export class UserErasure {
  private readonly logger = new Logger(UserErasure.name);

  constructor(
    private readonly users: UserStore,
    private readonly keys: ApiKeyRegistry,
    private readonly conversations: ConversationStore,
    private readonly documents: DocumentsService,
    private readonly jobs: JobStore,
    private readonly ledger: LedgerAnonymiser,
    private readonly cache: ResponseCacheAdmin,
    private readonly memories: Memories,
  ) {}

  /** Null when the tenant has no such user. */
  async erase(tenantId: string, userId: string): Promise<ErasureReport | null> {
    if (!(await this.users.markErased(tenantId, userId))) return null;
    const owner = { tenantId, userId };
    const revoked = await this.keys.revokeAllOf(tenantId, userId);
    // Documents first: their vectors and blobs live outside Postgres.
    const documents = await this.documents.deleteAllOf(owner);
    const conversations = await this.conversations.deleteAllOf(owner);
    const jobs = await this.jobs.deleteAllOf(owner);
    // Vectors first, then the rows (forgotten ones included).
    const memories = await this.memories.erase(owner);
    const cacheEntries = await this.cache.purgeUser(tenantId, userId);
    const ledger = await this.ledger.anonymise(tenantId, userId);
    this.logger.log({ tenant_id: tenantId, user_id: userId, documents, ...conversations, jobs, memories, cache_entries: cacheEntries }, 'user erased');
    return {
      object: 'user.erasure',
      user_id: userId,
      erased: true,
      deleted: { ...conversations, documents, jobs, memories, api_keys_revoked: revoked, cache_entries: cacheEntries },
      ledger: { events_anonymised: ledger.events, daily_rows_merged: ledger.dailyRows },
    };
  }
}
