import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChatCompletionRequest, chatCompletionRequestSchema, compatPolicyFor, ConduitHeader, maxTokensOf, unknownChatFields } from '@conduit/contracts';
import { PolicyStore } from '@conduit/policies';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { DEFAULT_IMAGE_LIMITS, GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';
import { checkImageParts } from './image-parts';
import { ChatErrorCode, ChatException } from './chat.exception';
import { ChatForwarder, passHeaders } from './chat-forwarder';
import { OrchestratorClient } from './orchestrator.client';
import { RequireScope } from '../auth/required-scope';

const SESSION_HEADER = ConduitHeader.SessionId;
const uuid = z.uuid();

/**
 * OpenAI-compatible chat completions. The gateway authenticates, validates and forwards
 * ({@link ChatForwarder}: admission, reservation, the orchestrator request); the orchestrator runs
 * the pipeline. Both plain and SSE bodies are streamed through untouched.
 */
@RequireScope('chat')
@Controller('v1')
export class ChatController {
  constructor(
    private readonly orchestrator: OrchestratorClient,
    private readonly forwarder: ChatForwarder,
    private readonly policies: PolicyStore,
    @Inject(GATEWAY_CHAT_SETTINGS) private readonly settings: GatewayChatSettings,
  ) {}

  @Post('chat/completions')
  async completions(
    @Body(new ZodPipe(chatCompletionRequestSchema)) body: ChatCompletionRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const limit = maxTokensOf(body);
    if (limit !== undefined && limit > this.settings.maxTokensLimit) {
      throw new ChatException(ChatErrorCode.MaxTokensTooLarge, `max_tokens must be at most ${this.settings.maxTokensLimit}.`, {
        param: body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens',
      });
    }
    if (body.conduit?.prompt_template !== undefined) {
      // The early draft of the extension: refused rather than silently answering without the template.
      throw new ChatException(ChatErrorCode.UnsupportedExtension, 'conduit.prompt_template is not supported; use conduit.prompt = {name, label | version, variables}.', {
        param: 'conduit.prompt_template',
      });
    }
    await this.unknownFields(request.body, principal, reply);
    await checkImageParts(body, this.settings.images ?? DEFAULT_IMAGE_LIMITS);
    const sessionHeader = request.headers[SESSION_HEADER];
    if (sessionHeader !== undefined && !uuid.safeParse(sessionHeader).success) {
      throw new ChatException(ChatErrorCode.InvalidSessionHeader, `${SESSION_HEADER} must be a session id (uuid).`, {
        param: SESSION_HEADER,
      });
    }

    const sessionId = typeof sessionHeader === 'string' ? sessionHeader : undefined;
    const upstream = await this.forwarder.send(body, { principal, request, reply, sessionId });

    await this.forwarder.relay(upstream, reply);
  }

  /**
   * Top-level fields Conduit does not know (the schema has already stripped them from `body`):
   * 400 `unsupported_parameter` naming the first, or — under the tenant's or key's
   * `compat.unknown_params: drop` — dropped and named in `x-conduit-dropped-params`.
   */
  private async unknownFields(raw: unknown, principal: Principal, reply: FastifyReply): Promise<void> {
    // Shown in a header and a message: visible ASCII only, bounded.
    const unknown = unknownChatFields(raw).map((field) => field.replace(/[^\x21-\x7e]|,/g, '?').slice(0, 64));
    if (unknown.length === 0) return;
    const policy = await this.policies.get(principal.tenantId);
    if (compatPolicyFor(policy, principal.apiKeyId).unknown_params === 'drop') {
      reply.header(ConduitHeader.DroppedParams, unknown.slice(0, 32).join(','));
      return;
    }
    const [first] = unknown;
    const more = unknown.length > 1 ? ` (also unknown: ${unknown.slice(1, 5).join(', ')})` : '';
    throw new ChatException(ChatErrorCode.UnsupportedParameter, `Unsupported parameter: ${first} is not a chat completions parameter Conduit supports${more}.`, {
      param: first,
    });
  }

  @Get('models')
  async models(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const upstream = await this.forwarder.forward(() =>
      this.orchestrator.get('/internal/models', { principal, requestId: String(request.id), signal: AbortSignal.timeout(10_000) }),
    );
    passHeaders(upstream, reply);
    await reply.status(upstream.statusCode).send(upstream.body);
  }
}
