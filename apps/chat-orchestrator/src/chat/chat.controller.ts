import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ReservationSettler } from '@conduit/budget';
import { ChatCompletionRequest, chatCompletionRequestSchema, ConduitHeader } from '@conduit/contracts';
import { ZodPipe } from '@conduit/runtime';
import { InternalCallerGuard } from '../internal/internal-caller';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { contextFrom, reservationOf } from './chat-context';
import { ChatResponder } from './chat-responder';

const bodyPipe = new ZodPipe(chatCompletionRequestSchema);

/**
 * The orchestrator's chat endpoint, called by the gateway. Streams end to end: the first byte
 * goes out when the first token arrives, and a closed connection aborts the upstream call.
 *
 * It owns the budget reservation of every call it receives from the gateway: the call's turn
 * settles it with the actual cost once anything was produced (a complete answer, or a stream that
 * broke or was cancelled after its first token); everything else — an invalid body, a refused
 * model, an unknown session, a provider failure before the first token, a client that left before
 * an answer — releases it. The gateway never touches it once the request was sent.
 * Callers without the internal token get 401 before anything else (`InternalCallerGuard`).
 */
@Controller('internal/chat')
@UseGuards(InternalCallerGuard)
export class ChatController {
  constructor(
    private readonly pipeline: ChatPipeline,
    private readonly settler: ReservationSettler,
    private readonly responder: ChatResponder,
  ) {}

  @Post('completions')
  @HttpCode(200)
  async completions(@Body() raw: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // Only the gateway gets here (InternalCallerGuard): a forged call never ends a reservation.
    try {
      return await this.run(bodyPipe.transform(raw), request, reply);
    } catch (error) {
      // Nothing was produced: a turn that produced something settled the reservation, and this
      // release is then a no-op (only a held reservation changes). The error answer waits for it,
      // so the client's immediate retry finds its budget free.
      const reservation = reservationOf(request);
      if (reservation) await this.settler.releaseNow(reservation);
      throw error;
    }
  }

  private async run(body: ChatCompletionRequest, request: FastifyRequest, reply: FastifyReply) {
    const sessionHeader = request.headers[ConduitHeader.SessionId];
    const sessionId = body.conduit?.session_id ?? (typeof sessionHeader === 'string' ? sessionHeader : undefined);
    const chat = await this.pipeline.start(body, contextFrom(request, sessionId));

    return this.responder.answer(chat, { stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true }, request, reply);
  }
}
