import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ReservationSettler } from '@conduit/budget';
import { ChatCompletionRequest, chatCompletionRequestSchema, ConduitHeader } from '@conduit/contracts';
import type { TokenUsage } from '@conduit/llm';
import { openAiErrorBody, safeHeaderValue, ZodPipe } from '@conduit/runtime';
import { ORCHESTRATOR_ERROR_STATUS } from '../errors/error-status';
import { InternalCallerGuard } from '../internal/internal-caller';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { contextFrom, reservationOf } from './chat-context';
import { toChatException } from './llm-error.mapping';
import { ChunkWriter, completionResponse } from './openai-format';
import { StreamedToolCalls } from './streamed-tool-calls';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

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

    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const headers: Record<string, string> = { ...chat.headers, [ConduitHeader.SessionId]: chat.sessionId, [ConduitHeader.MessageId]: chat.assistantId };
    if (chat.citations.length > 0) {
      // For OpenAI clients, which ignore unknown body fields: URI-encoded JSON (filenames may be non-ASCII).
      headers[ConduitHeader.Citations] = encodeURIComponent(JSON.stringify(chat.citations));
    }

    if (!body.stream) {
      // A Responses API answer that is stored is stored before it is sent: its id may be continued at once.
      const result = await this.pipeline.complete(chat, abort.signal, { durable: chat.context.responses?.store === true });
      // The stages' headers again: the model call may change one (`x-conduit-cache: stale`).
      reply.headers({ ...headers, ...chat.headers, [ConduitHeader.Provider]: safeHeaderValue(result.provider), [ConduitHeader.Model]: safeHeaderValue(result.model) });
      const response = completionResponse(chat.responseId, result.model, chat.created, result.completion);
      return chat.citations.length > 0 ? { ...response, citations: chat.citations } : response;
    }

    // Errors up to the first token still become a proper HTTP error (retries/fallback happen here).
    const stream = await this.pipeline.openStream(chat, abort.signal);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      ...SSE_HEADERS,
      ...headers,
      ...chat.headers,
      // What an upstream reports is not ours to trust: a header must not be able to fail the answer.
      [ConduitHeader.Provider]: safeHeaderValue(stream.provider),
      [ConduitHeader.Model]: safeHeaderValue(stream.model),
    });
    const writer = new ChunkWriter(chat.responseId, stream.model, chat.created);
    const send = (payload: unknown) => raw.write(`data: ${JSON.stringify(payload)}\n\n`);
    let content = '';
    const toolCalls = new StreamedToolCalls();
    let usage: TokenUsage | undefined;
    let finishReason = 'stop';
    let failure: unknown;
    let citationsSent = false;
    // Stored before `[DONE]` when the Responses API will want it at once (see `completions`).
    let recorded: Promise<void> | undefined;
    const record = (durable: boolean) =>
      this.pipeline.recordStream(
        chat,
        stream,
        { content, usage, finishReason, cancelled: abort.signal.aborted, error: failure, toolCalls: toolCalls.complete() },
        { durable },
      );
    try {
      for await (const event of stream.events) {
        if (abort.signal.aborted) break;
        if (event.type === 'text') content += event.text;
        if (event.type === 'tool_call') toolCalls.add(event);
        if (event.type === 'done') {
          usage = event.usage;
          finishReason = event.finish_reason;
        }
        const chunk = writer.forEvent(event) as Record<string, unknown>;
        // The first chunk carries the citations for native clients.
        const payload = content === '' && chat.citations.length > 0 && !citationsSent ? { ...chunk, citations: chat.citations } : chunk;
        citationsSent = true;
        if (!send(payload)) await new Promise((resolve) => raw.once('drain', resolve));
      }
      if (!abort.signal.aborted) {
        if (body.stream_options?.include_usage && usage) send(writer.usageChunk(usage));
        if (chat.context.responses?.store === true) await (recorded = record(true));
        raw.write('data: [DONE]\n\n');
      }
    } catch (error) {
      failure = error;
      if (!abort.signal.aborted) send(openAiErrorBody(toChatException(error), String(request.id), ORCHESTRATOR_ERROR_STATUS).body);
    } finally {
      raw.end();
      recorded ??= record(false);
    }
    return undefined;
  }
}
