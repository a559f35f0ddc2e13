import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { ConduitHeader } from '@conduit/contracts';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { RequireScope } from '../auth/required-scope';
import { ChatForwarder } from '../chat/chat-forwarder';
import { passHeaders } from '../chat/chat-forwarder';
import { ChatErrorCode, ChatException } from '../chat/chat.exception';
import { ChatChunk, ResponseEventStream, SseDataReader, sseFrame, type ResponseEvent } from './response-events';
import { outputOf, ResponseSettings, responseObject, settingsOf, statusOf, usageOf } from './response-object';
import { responseIdOf } from './response-id';
import { parseResponsesRequest, ResponsesRequest, toChatRequest, type ToolCallInput } from './responses-request';
import { ResponsesException } from './responses.exception';
import { ResponsesService } from './responses.service';

/** The orchestrator's `chat.completion`, as far as a response needs it. */
interface ChatCompletionJson {
  created: number;
  model: string;
  choices: { message: { content: string | null; tool_calls?: ToolCallInput[] }; finish_reason: string }[];
  usage?: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } };
}

/**
 * The OpenAI Responses API: `POST /v1/responses` (plain and streamed), `GET` and `DELETE
 * /v1/responses/{id}`. A request is translated into a chat request and sent like
 * `POST /v1/chat/completions` sends it ({@link ChatForwarder}: admission, budget reservation, the
 * orchestrator's one pipeline); the chat answer is translated back into a `response` object or
 * the Responses stream events. Conversation state is Conduit's: a response is the assistant
 * message its turn stored, and `previous_response_id` continues that message's session.
 */
@RequireScope('chat')
@Controller('v1/responses')
export class ResponsesController {
  constructor(
    private readonly forwarder: ChatForwarder,
    private readonly responses: ResponsesService,
  ) {}

  @Post()
  async create(@Body() raw: unknown, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = parseResponsesRequest(raw);
    this.assertAcceptable(body);
    const previous = body.previous_response_id != null ? await this.responses.previous(principal, body.previous_response_id) : undefined;
    const chat = toChatRequest(body, previous?.toolCalls);
    const settings = settingsOf(body);
    const upstream = await this.forwarder.send(chat, {
      principal,
      request,
      reply,
      sessionId: previous?.sessionId,
      responses: { store: settings.store, previous_response_id: settings.previousResponseId },
    });
    const messageId = upstream.headers[ConduitHeader.MessageId];
    const id = responseIdOf(typeof messageId === 'string' ? messageId : randomUUID());
    const isStream = String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream');
    if (upstream.statusCode !== 200 || !isStream) {
      passHeaders(upstream, reply);
      if (upstream.statusCode !== 200) {
        // A refusal or failure of the chat (guardrails, budget, provider): its error body as is.
        await reply.status(upstream.statusCode).send(upstream.body);
        return;
      }
      const completion = (await upstream.body.json()) as ChatCompletionJson;
      await reply.status(200).send(completed(id, settings, completion));
      return;
    }
    await this.stream(id, settings, upstream, reply);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.responses.get(principal, id);
  }

  @Delete(':id')
  delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.responses.delete(principal, id);
  }

  /** What the chat path would refuse about the translated request, named by the Responses field. */
  private assertAcceptable(body: ResponsesRequest): void {
    const limit = this.forwarder.maxTokensLimit;
    if (body.max_output_tokens != null && body.max_output_tokens > limit) {
      throw new ChatException(ChatErrorCode.MaxTokensTooLarge, `max_output_tokens must be at most ${limit}.`, { param: 'max_output_tokens' });
    }
    if (body.conduit?.prompt_template !== undefined) {
      throw new ChatException(ChatErrorCode.UnsupportedExtension, 'conduit.prompt_template is not supported; use conduit.prompt = {name, label | version, variables}.', {
        param: 'conduit.prompt_template',
      });
    }
    if (body.previous_response_id != null && body.conduit?.session_id !== undefined) {
      throw ResponsesException.unsupported('conduit.session_id', 'a response continues the session of previous_response_id; do not name another one');
    }
  }

  /** The chat stream, event by event, as the Responses stream. */
  private async stream(id: string, settings: ResponseSettings, upstream: Dispatcher.ResponseData, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    passHeaders(upstream, reply);
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const model = upstream.headers[ConduitHeader.Model];
    const events = new ResponseEventStream(id, settings, Math.floor(Date.now() / 1000), typeof model === 'string' ? headerText(model) : '');
    const reader = new SseDataReader();
    const write = async (batch: ResponseEvent[]) => {
      if (batch.length === 0) return;
      if (!raw.write(batch.map(sseFrame).join(''))) await new Promise((resolve) => raw.once('drain', resolve));
    };
    try {
      await write(events.start());
      for await (const chunk of upstream.body) {
        for (const data of reader.push(chunk as Buffer)) {
          if (data === '[DONE]') await write(events.end());
          else await write(events.chunk(JSON.parse(data) as ChatChunk));
        }
      }
      if (!events.ended) await write(events.fail({ code: 'server_error', message: 'The answer stream broke off.' }));
    } catch {
      // The client left (abort) or the orchestrator dropped the stream: nothing more to send.
    } finally {
      raw.end();
    }
  }
}

/** A header value as the orchestrator percent-encoded it when it had to (`safeHeaderValue`); as is when it is not an encoding. */
function headerText(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A finished chat completion as a `response` object. */
function completed(id: string, settings: ResponseSettings, completion: ChatCompletionJson) {
  const choice = completion.choices[0];
  const { status, incompleteReason } = statusOf(choice?.finish_reason);
  const usage = completion.usage;
  return responseObject(id, settings, {
    model: completion.model,
    createdAt: completion.created,
    completedAt: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    status,
    incompleteReason,
    output: outputOf(id, choice?.message.content ?? '', choice?.message.tool_calls ?? [], status === 'completed' ? 'completed' : 'incomplete'),
    usage: usage ? usageOf(usage.prompt_tokens, usage.completion_tokens, usage.prompt_tokens_details?.cached_tokens ?? 0) : null,
    error: null,
  });
}
