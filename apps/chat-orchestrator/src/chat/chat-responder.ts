import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConduitHeader } from '@conduit/contracts';
import type { TokenUsage } from '@conduit/llm';
import { openAiErrorBody, safeHeaderValue } from '@conduit/runtime';
import { ORCHESTRATOR_ERROR_STATUS } from '../errors/error-status';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { toolRunSummary } from '../pipeline/stages/model-call/tool-run';
import type { Turn } from '../pipeline/turn';
import { toChatException } from './llm-error.mapping';
import { ChunkWriter, completionResponse } from './openai-format';
import { StreamedToolCalls } from './streamed-tool-calls';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

const ZERO_USAGE: TokenUsage = { input_tokens: 0, output_tokens: 0, cached_tokens: 0 };

/** How the client asked for the answer. */
export interface AnswerMode {
  stream: boolean;
  includeUsage: boolean;
}

/**
 * Answers a started turn, plain or streamed (SSE, first byte at the first token; a closed
 * connection aborts the upstream call and a tool call in flight). Shared by chat completions and
 * the resume of a paused tool run (`POST /internal/tool-confirmations/:id`).
 */
@Injectable()
export class ChatResponder {
  constructor(private readonly pipeline: ChatPipeline) {}

  async answer(chat: Turn, mode: AnswerMode, request: FastifyRequest, reply: FastifyReply) {
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const headers: Record<string, string> = { ...chat.headers, [ConduitHeader.SessionId]: chat.sessionId, [ConduitHeader.MessageId]: chat.assistantId };
    if (chat.citations.length > 0) {
      // For OpenAI clients, which ignore unknown body fields: URI-encoded JSON (filenames may be non-ASCII).
      headers[ConduitHeader.Citations] = encodeURIComponent(JSON.stringify(chat.citations));
    }

    if (!mode.stream) {
      // A Responses API answer that is stored is stored before it is sent: its id may be continued at once.
      const result = await this.pipeline.complete(chat, abort.signal, { durable: chat.context.responses?.store === true });
      // The stages' headers again: the model call may change one (`x-conduit-cache: stale`).
      reply.headers({ ...headers, ...chat.headers, [ConduitHeader.Provider]: safeHeaderValue(result.provider), [ConduitHeader.Model]: safeHeaderValue(result.model) });
      const response = completionResponse(chat.responseId, result.model, chat.created, result.completion);
      if (chat.tools?.pause) reply.header(ConduitHeader.ConfirmationId, chat.tools.pause.confirmationId);
      return {
        ...response,
        ...(chat.citations.length > 0 ? { citations: chat.citations } : {}),
        // Ignored by OpenAI clients (an unknown field); see docs/tools.md.
        ...(chat.tools ? { conduit: toolRunSummary(chat.tools) } : {}),
      };
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
    if (chat.tools) {
      // Tool progress as SSE comments: every SSE client skips them.
      chat.tools.onProgress = (event) => {
        if (!raw.writableEnded) raw.write(`: conduit tool ${event.phase} ${event.name}${event.outcome ? ` ${event.outcome}` : ''}\n\n`);
      };
    }
    let content = '';
    // The tool calls the client gets (a platform run's own calls are held back), stored with the turn.
    const toolCalls = new StreamedToolCalls();
    let usage: TokenUsage | undefined;
    let finishReason = 'stop';
    let failure: unknown;
    let citationsSent = false;
    // Stored before `[DONE]` when the Responses API will want it at once.
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
        if (mode.includeUsage && usage) send(writer.usageChunk(usage));
        // The run's summary (and a pause's confirmation) in a chunk without choices, which OpenAI
        // clients pass over as they do the usage chunk; see docs/tools.md.
        if (chat.tools) send({ ...(writer.usageChunk(ZERO_USAGE) as Record<string, unknown>), usage: null, conduit: toolRunSummary(chat.tools) });
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
