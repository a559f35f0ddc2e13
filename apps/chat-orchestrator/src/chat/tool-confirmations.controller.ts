import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chatCompletionRequestSchema, ConduitHeader, ToolConfirmationDecision, toolConfirmationDecisionSchema } from '@conduit/contracts';
import type { Prisma } from '@conduit/db';
import { JobLifecycle, JobStore, recordJobFinished } from '@conduit/jobs';
import { PolicyStore } from '@conduit/policies';
import { safeHeaderValue, ZodPipe } from '@conduit/runtime';
import { ToolConfirmationStore } from '@conduit/tools';
import { InternalCallerGuard } from '../internal/internal-caller';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { ToolLoop } from '../pipeline/stages/model-call/tool-loop';
import { ToolLoopErrorCode, ToolLoopException } from '../pipeline/stages/model-call/tool-loop.exception';
import { toolConfirmations } from '../pipeline/stages/model-call/tool-loop.metrics';
import { toolRunSummary, type PausedRunState } from '../pipeline/stages/model-call/tool-run';
import type { Turn } from '../pipeline/turn';
import { contextFrom } from './chat-context';
import { ChatResponder } from './chat-responder';
import { completionResponse } from './openai-format';

const NOT_FOUND = (id: string) => new ToolLoopException(ToolLoopErrorCode.ConfirmationNotFound, `No tool confirmation ${id}.`);

/**
 * Decides a paused tool run and answers the resumed run (called by the gateway for
 * `POST /v1/tool-confirmations/{id}`). Only the run's own user or a tenant admin may decide;
 * anyone else gets 404. The decision is claimed once (`ToolConfirmationStore.claim`): a second
 * decision, concurrent or later, is 409 and runs nothing. A confirmation past its TTL is decided
 * `expired` whatever was asked, and the run resumes as denied.
 *
 * The resumed run is the paused request again (its prepare stages run on the stored body) with
 * the stored messages up to the paused step, billed to the run's user; it continues the same
 * session with a new assistant message.
 *
 * A confirmation of an async job (`job_id` set: the job waits in `requires_action`) resumes the
 * job here, in this request: the resumed run completes (plainly, whatever `stream` asked), its
 * answer becomes the job's result (`succeeded`, with `job.succeeded`; or `requires_action` again
 * when it pauses on another dangerous call) and is the answer to the decider too. Only the one
 * decision the claim lets through gets here, so the job is resumed once.
 */
@Controller('internal/tool-confirmations')
@UseGuards(InternalCallerGuard)
export class ToolConfirmationsController {
  constructor(
    private readonly store: ToolConfirmationStore,
    private readonly policies: PolicyStore,
    private readonly pipeline: ChatPipeline,
    private readonly loop: ToolLoop,
    private readonly responder: ChatResponder,
    private readonly lifecycle: JobLifecycle,
    private readonly jobs: JobStore,
  ) {}

  @Post(':id')
  @HttpCode(200)
  async decide(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => NOT_FOUND('') })) id: string,
    @Body(new ZodPipe(toolConfirmationDecisionSchema)) body: ToolConfirmationDecision,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const caller = contextFrom(request, undefined);
    const decider = { tenantId: caller.tenantId, userId: caller.userId, admin: request.headers[ConduitHeader.UserRole] === 'tenant_admin' };
    const found = await this.store.find(id, decider);
    if (!found) throw NOT_FOUND(id);
    const edits = body.decision === 'approve' ? (body.arguments ?? null) : null;
    if (body.arguments !== undefined) {
      const policy = (await this.policies.get(caller.tenantId)).tools;
      if (!policy.allow_argument_edit) {
        throw new ToolLoopException(ToolLoopErrorCode.ArgumentEditNotAllowed, 'This tenant does not allow editing tool arguments.', { param: 'arguments' });
      }
      const pendingIds = new Set((found.pendingCalls as unknown as { id: string }[]).map((call) => call.id));
      const unknown = Object.keys(body.arguments).find((callId) => !pendingIds.has(callId));
      if (unknown !== undefined) {
        throw new ToolLoopException(ToolLoopErrorCode.InvalidEditedArguments, `arguments names ${unknown}, which is not a pending call of this confirmation.`, { param: 'arguments' });
      }
    }

    if (found.jobId) {
      // A job cancelled or expired while it waited is not resumed: its tools must not run.
      const job = await this.jobs.findById(found.jobId);
      if (!job || (job.status !== 'requires_action' && job.status !== 'running')) {
        throw new ToolLoopException(ToolLoopErrorCode.ConfirmationJobFinished, `The job of tool confirmation ${id} is ${job?.status ?? 'gone'}; nothing was resumed.`);
      }
    }
    const claimed = await this.store.claim(id, decider, body.decision, edits);
    if (claimed.outcome === 'not_found') throw NOT_FOUND(id);
    if (claimed.outcome === 'already_decided') {
      throw new ToolLoopException(ToolLoopErrorCode.ConfirmationDecided, `Tool confirmation ${id} was already decided (${claimed.confirmation.status}).`);
    }
    const row = claimed.confirmation;
    toolConfirmations.inc({ decision: row.status });

    const state = row.state as unknown as PausedRunState;
    const paused = chatCompletionRequestSchema.parse(state.body);
    const stream = body.stream === true && row.jobId === null;
    const resumed = { ...paused, stream, ...(stream && body.stream_options ? { stream_options: body.stream_options } : {}) };
    // The run's owner is billed and owns the answer, whoever decided (an admin may).
    const context = { ...caller, userId: row.userId, apiKeyId: row.apiKeyId, sessionId: undefined, reservationId: null, ...(row.jobId ? { jobId: row.jobId, feature: 'job' as const } : {}) };
    const chat = await this.pipeline.start(resumed, context, { sessionId: row.sessionId });
    chat.newSession = state.newSession;
    // The user's message was stored with the paused answer.
    chat.userMessage = null;
    await this.loop.resume(chat, row);
    if (row.jobId) return this.resumeJob(chat, row.jobId, reply);
    return this.responder.answer(chat, { stream, includeUsage: body.stream_options?.include_usage === true }, request, reply);
  }

  /**
   * Runs the resumed run of a job to its end (not tied to this request: a decider who leaves does
   * not cancel the job) and moves the job on with its answer. From `running` too: a decision may
   * arrive before the worker has stored the pause (the worker's own move then finds it gone).
   */
  private async resumeJob(chat: Turn, jobId: string, reply: FastifyReply) {
    const completed = await this.pipeline.complete(chat, new AbortController().signal, { durable: true });
    const response = completionResponse(chat.responseId, completed.model, chat.created, completed.completion);
    const result = {
      ...response,
      conduit: { session_id: chat.sessionId, message_id: chat.assistantId, provider: completed.provider, ...(chat.tools ? toolRunSummary(chat.tools) : {}) },
    };
    const paused = chat.tools?.pause !== undefined && chat.tools.pause !== null;
    const finished = await this.lifecycle.finish(
      { id: jobId },
      { status: paused ? 'requires_action' : 'succeeded', from: ['running', 'requires_action'], result: result as unknown as Prisma.InputJsonObject, upstreamMs: Math.round(completed.latencyMs) },
    );
    if (finished && !paused) recordJobFinished(finished);
    reply.headers({
      [ConduitHeader.SessionId]: chat.sessionId,
      [ConduitHeader.MessageId]: chat.assistantId,
      [ConduitHeader.Provider]: safeHeaderValue(completed.provider),
      [ConduitHeader.Model]: safeHeaderValue(completed.model),
      ...(chat.tools?.pause ? { [ConduitHeader.ConfirmationId]: chat.tools.pause.confirmationId } : {}),
    });
    return result;
  }
}
