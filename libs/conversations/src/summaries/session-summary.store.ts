import { Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import type { ConversationOwner } from '../conversation.store';
import { SAVE_SUMMARY_SQL, SUMMARY_OF_SESSION_SQL, SummarySqlRow } from './session-summary.sql';

/** A session's rolling summary: the conversation up to and including message `coversMessageId`. */
export interface SessionSummary {
  summary: string;
  coversMessageId: string;
  /** When the covered message was written: the history window starts after it. */
  coversCreatedAt: Date;
  /** How many of the session's messages it covers. */
  coveredMessages: number;
  /** Tokens of the system message that carries the summary (label included), as the request sends it. */
  tokens: number;
  model: string;
  updatedAt: Date;
}

/**
 * The one owner of `session_summaries` (issue 21's session summaries): the chat path reads a
 * session's summary, the orchestrator's `session.summarize` job stores it. Every statement is
 * scoped to the tenant AND the user. A summary goes with its session (ON DELETE CASCADE), so
 * deleting a session, or erasing its user or tenant, removes it.
 */
@Injectable()
export class SessionSummaryStore {
  constructor(private readonly prisma: PrismaService) {}

  /** The owner's summary of the session; null when there is none (or it is someone else's session). */
  async get(owner: ConversationOwner, sessionId: string): Promise<SessionSummary | null> {
    const { rows } = await this.prisma.pg.query<SummarySqlRow>(SUMMARY_OF_SESSION_SQL, [sessionId, owner.tenantId, owner.userId]);
    const row = rows[0];
    if (!row) return null;
    return {
      summary: row.summary,
      coversMessageId: row.covers_message_id,
      coversCreatedAt: row.covers_created_at,
      coveredMessages: row.covered_messages,
      tokens: row.tokens,
      model: row.model,
      updatedAt: row.updated_at,
    };
  }

  /**
   * Stores the summary when the session is the owner's and the summary covers more than the one
   * stored (false otherwise: a late or duplicate job changes nothing).
   */
  async save(owner: ConversationOwner, sessionId: string, summary: Omit<SessionSummary, 'updatedAt'>): Promise<boolean> {
    const { rowCount } = await this.prisma.pg.query(SAVE_SUMMARY_SQL, [
      sessionId,
      owner.tenantId,
      owner.userId,
      summary.summary,
      summary.coversMessageId,
      summary.coversCreatedAt.toISOString(),
      summary.coveredMessages,
      summary.tokens,
      summary.model,
    ]);
    return (rowCount ?? 0) > 0;
  }
}
