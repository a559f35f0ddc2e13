import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequest, chatCompletionRequestSchema } from '@conduit/contracts';
import type { TokenUsage } from '@conduit/llm';
import { openAiErrorBody, safeHeaderValue, ZodPipe } from '@conduit/runtime';
import { ReservationSettler } from '../usage/reservation.settler';
import { assertInternalCaller, CONTEXT_HEADERS, contextFrom, reservationOf } from './chat-context';
import { CHAT_SETTINGS, ChatSettings } from './chat.constants';
import { ChatService } from './chat.service';
import { toChatException } from './llm-error.mapping';
import { ChunkWriter, completionResponse } from './openai-format';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * The orchestrator's chat endpoint, called by the gateway. Streams end to end: the first byte
 * goes out when the first token arrives, and a closed connection aborts the upstream call.
 */
@Controller('internal/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly settler: ReservationSettler,
    @Inject(CHAT_SETTINGS) private readonly settings: ChatSettings,
  ) {}

  @Post('completions')
  @HttpCode(200)
  async completions(
    @Body(new ZodPipe(chatCompletionRequestSchema)) body: ChatCompletionRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    assertInternalCaller(request, this.settings.internalToken);
    try {
      return await this.run(body, request, reply);
    } catch (error) {
      // Nothing was produced (the turn is recorded, and its reservation settled, only on success).
      this.settler.release({
        tenantId: String(request.headers[CONTEXT_HEADERS.tenant] ?? ''),
        reservationId: reservationOf(request),
        requestId: String(request.id),
      });
      throw error;
    }
  }

  private async run(body: ChatCompletionRequest, request: FastifyRequest, reply: FastifyReply) {
    const sessionHeader = request.headers['x-conduit-session-id'];
    const sessionId = body.conduit?.session_id ?? (typeof sessionHeader === 'string' ? sessionHeader : undefined);
    const chat = await this.chat.prepare(body, contextFrom(request, sessionId));

    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const headers: Record<string, string> = { 'x-conduit-session-id': chat.sessionId, 'x-conduit-message-id': chat.assistantId };
    if (chat.citations.length > 0) {
      // For OpenAI clients, which ignore unknown body fields: URI-encoded JSON (filenames may be non-ASCII).
      headers['x-conduit-citations'] = encodeURIComponent(JSON.stringify(chat.citations));
    }

    if (!body.stream) {
      const result = await this.chat.complete(chat, abort.signal);
      reply.headers({ ...headers, 'x-conduit-provider': safeHeaderValue(result.provider), 'x-conduit-model': safeHeaderValue(result.model) });
      const response = completionResponse(chat.responseId, result.model, chat.created, result.completion);
      return chat.citations.length > 0 ? { ...response, citations: chat.citations } : response;
    }

    // Errors up to the first token still become a proper HTTP error (retries/fallback happen here).
    const stream = await this.chat.openStream(chat, abort.signal);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      ...SSE_HEADERS,
      ...headers,
      // What an upstream reports is not ours to trust: a header must not be able to fail the answer.
      'x-conduit-provider': safeHeaderValue(stream.provider),
      'x-conduit-model': safeHeaderValue(stream.model),
    });
    const writer = new ChunkWriter(chat.responseId, stream.model, chat.created);
    const send = (payload: unknown) => raw.write(`data: ${JSON.stringify(payload)}\n\n`);
    let content = '';
    let usage: TokenUsage | undefined;
    let finishReason = 'stop';
    let failure: unknown;
    let citationsSent = false;
    try {
      for await (const event of stream.events) {
        if (abort.signal.aborted) break;
        if (event.type === 'text') content += event.text;
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
        raw.write('data: [DONE]\n\n');
      }
    } catch (error) {
      failure = error;
      if (!abort.signal.aborted) send(openAiErrorBody(toChatException(error), String(request.id)).body);
    } finally {
      raw.end();
      this.chat.recordStream(chat, stream, { content, usage, finishReason, cancelled: abort.signal.aborted, error: failure });
    }
    return undefined;
  }
}
