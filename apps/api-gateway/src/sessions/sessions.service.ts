import { Injectable } from '@nestjs/common';
import { ConversationStore } from '@conduit/conversations';
import type { Session } from '@conduit/db';
import type { Principal } from '../auth/principal';
import { isUuid, ListPage, toListPage } from './list-page';
import {
  CreateSessionBody,
  DeletedSessionObject,
  ListSessionsQuery,
  SessionObject,
  toSessionObject,
} from './sessions.dto';
import { SessionsException } from './sessions.exception';

/** Whose data a query may touch: every query filters by both. */
export type Owner = Pick<Principal, 'tenantId' | 'userId'>;

/**
 * Sessions of the calling user (stored by `ConversationStore`). Every read and write is scoped to
 * the caller's tenant AND user; an id that is not theirs (or not a uuid) is reported exactly like
 * one that does not exist.
 */
@Injectable()
export class SessionsService {
  constructor(private readonly store: ConversationStore) {}

  /**
   * For other gateway code (the chat path): resolves a session id the caller sent, returning the
   * session when it belongs to the caller's tenant and user, otherwise throwing the same 404
   * `session_not_found` the sessions API returns (malformed ids included). Never reveals whether
   * the id exists for someone else.
   */
  async assertOwned(principal: Owner, sessionId: string): Promise<Session> {
    const session = isUuid(sessionId) ? await this.store.findSession(principal, sessionId) : null;
    if (!session) throw SessionsException.notFound(sessionId);
    return session;
  }

  async create(principal: Owner, body: CreateSessionBody): Promise<SessionObject> {
    const session = await this.store.createSession(principal, { title: body.title ?? null, metadata: body.metadata ?? {} });
    return toSessionObject(session, 0);
  }

  /** Newest first; ties on `created_at` are broken by id so pages never skip or repeat. */
  async list(principal: Owner, query: ListSessionsQuery): Promise<ListPage<SessionObject>> {
    const rows = await this.store.listSessions(principal, query);
    if (!rows) throw SessionsException.invalidCursor();
    return toListPage(rows, query.limit, (row) => toSessionObject(row, row.messageCount));
  }

  async get(principal: Owner, sessionId: string): Promise<SessionObject> {
    const session = isUuid(sessionId) ? await this.store.getSession(principal, sessionId) : null;
    if (!session) throw SessionsException.notFound(sessionId);
    return toSessionObject(session, session.messageCount);
  }

  /** Hard delete; the session's messages go with it. */
  async delete(principal: Owner, sessionId: string): Promise<DeletedSessionObject> {
    if (!isUuid(sessionId) || !(await this.store.deleteSession(principal, sessionId))) throw SessionsException.notFound(sessionId);
    return { id: sessionId, object: 'session.deleted', deleted: true };
  }
}
