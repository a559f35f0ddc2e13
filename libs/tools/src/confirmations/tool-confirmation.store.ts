import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, ToolConfirmation, ToolConfirmationStatus } from '@conduit/db';

/** One dangerous call waiting for the user's decision. */
export interface PendingToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (a JSON string). */
  arguments: string;
}

export interface NewToolConfirmation {
  id: string;
  tenantId: string;
  userId: string;
  apiKeyId: string | null;
  sessionId: string;
  jobId: string | null;
  pendingCalls: PendingToolCall[];
  /** The run's state to resume it (owned by the chat orchestrator's tool loop). */
  state: Prisma.InputJsonObject;
  expiresAt: Date;
}

/** Who decides: the confirmation's own user, or (`admin`) any tenant admin. */
export interface ToolConfirmationDecider {
  tenantId: string;
  userId: string;
  admin: boolean;
}

export type ToolDecision = 'approve' | 'deny';

/** What a decision request found: the claimed row, or why there was nothing to claim. */
export type ClaimOutcome =
  | { outcome: 'claimed'; confirmation: ToolConfirmation }
  | { outcome: 'not_found' }
  | { outcome: 'already_decided'; confirmation: ToolConfirmation };

/*
 * The claim: one statement that moves a pending confirmation to its decision — or to `expired`
 * when its TTL has passed, whatever was asked — and answers the row. Two decisions racing on one
 * id: exactly one of them sees `status = 'pending'` and gets a row back.
 */
const CLAIM_SQL = `
UPDATE "tool_confirmations"
   SET "status" = (CASE WHEN "expires_at" <= $5 THEN 'expired' ELSE $4 END)::"ToolConfirmationStatus",
       "decided_by" = $3,
       "decided_at" = $5,
       "edited_arguments" = CASE WHEN "expires_at" <= $5 THEN NULL ELSE $6::jsonb END
 WHERE "id" = $1
   AND "tenant_id" = $2
   AND "status" = 'pending'
   AND ("user_id" = $3 OR $7::boolean)
RETURNING "id", "tenant_id" AS "tenantId", "user_id" AS "userId", "api_key_id" AS "apiKeyId",
          "session_id" AS "sessionId", "job_id" AS "jobId", "status", "pending_calls" AS "pendingCalls",
          "state", "edited_arguments" AS "editedArguments", "decided_by" AS "decidedBy",
          "decided_at" AS "decidedAt", "expires_at" AS "expiresAt", "created_at" AS "createdAt"`;

/**
 * The one owner of `tool_confirmations`: a paused tool run's pending calls and resume state, and
 * — once decided — the audit record of the decision (who, when, the arguments, the decision).
 * Rows are kept after their decision (the audit log) and go with their tenant.
 */
@Injectable()
export class ToolConfirmationStore {
  constructor(private readonly prisma: PrismaService) {}

  async create(row: NewToolConfirmation): Promise<ToolConfirmation> {
    return this.prisma.toolConfirmation.create({
      data: {
        id: row.id,
        tenantId: row.tenantId,
        userId: row.userId,
        apiKeyId: row.apiKeyId,
        sessionId: row.sessionId,
        jobId: row.jobId,
        pendingCalls: row.pendingCalls as unknown as Prisma.InputJsonArray,
        state: row.state,
        expiresAt: row.expiresAt,
      },
    });
  }

  /**
   * Decides a pending confirmation once: `claimed` for exactly one caller, with the row as
   * decided (`expired` when its TTL had passed: a denial). Another tenant's confirmation, or
   * another user's when the decider is not an admin, is `not_found`.
   */
  async claim(
    id: string,
    decider: ToolConfirmationDecider,
    decision: ToolDecision,
    editedArguments: Record<string, unknown> | null,
    now: Date = new Date(),
  ): Promise<ClaimOutcome> {
    const status: ToolConfirmationStatus = decision === 'approve' ? 'approved' : 'denied';
    const { rows } = await this.prisma.pg.query<ToolConfirmation>(CLAIM_SQL, [
      id,
      decider.tenantId,
      decider.userId,
      status,
      now,
      editedArguments === null ? null : JSON.stringify(editedArguments),
      decider.admin,
    ]);
    if (rows[0]) return { outcome: 'claimed', confirmation: rows[0] };
    const existing = await this.find(id, decider);
    return existing ? { outcome: 'already_decided', confirmation: existing } : { outcome: 'not_found' };
  }

  /** The confirmation as the decider may see it (null: absent, another tenant's, or another user's for a non-admin). */
  async find(id: string, decider: ToolConfirmationDecider): Promise<ToolConfirmation | null> {
    return this.prisma.toolConfirmation.findFirst({
      where: { id, tenantId: decider.tenantId, ...(decider.admin ? {} : { userId: decider.userId }) },
    });
  }
}
