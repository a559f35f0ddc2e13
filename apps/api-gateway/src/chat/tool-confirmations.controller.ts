import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ToolConfirmationDecision, toolConfirmationDecisionSchema } from '@conduit/contracts';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { RequireScope } from '../auth/required-scope';
import { ChatErrorCode, ChatException } from './chat.exception';
import { ChatForwarder } from './chat-forwarder';
import { OrchestratorClient } from './orchestrator.client';

const uuid = z.uuid();

/**
 * `POST /v1/tool-confirmations/{id}`: approve or deny the dangerous tool calls a tool run paused
 * on, and get the resumed run's answer (plain, or SSE with `stream: true`). Only the run's user
 * or a tenant admin may decide (anyone else: 404); a second decision is 409. The orchestrator
 * decides and answers (see apps/chat-orchestrator ToolConfirmationsController, docs/tools.md).
 */
@RequireScope('chat')
@Controller('v1/tool-confirmations')
export class ToolConfirmationsController {
  constructor(
    private readonly orchestrator: OrchestratorClient,
    private readonly forwarder: ChatForwarder,
  ) {}

  @Post(':id')
  async decide(
    @Param('id') id: string,
    @Body(new ZodPipe(toolConfirmationDecisionSchema)) body: ToolConfirmationDecision,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!uuid.safeParse(id).success) throw new ChatException(ChatErrorCode.ToolConfirmationNotFound, `No tool confirmation ${id}.`, { param: 'id' });
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const upstream = await this.forwarder.forward(() =>
      this.orchestrator.post(`/internal/tool-confirmations/${id}`, JSON.stringify(body), { principal, requestId: String(request.id), signal: abort.signal }),
    );
    // The resumed answer goes out the way every chat answer does (plain or SSE, as the orchestrator sent it).
    await this.forwarder.relay(upstream, reply);
  }
}
