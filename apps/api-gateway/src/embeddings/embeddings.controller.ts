import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { RequireScope } from '../auth/required-scope';
import { CreateEmbeddingsBody, createEmbeddingsBodySchema } from './embeddings.dto';
import { EmbeddingsService } from './embeddings.service';

/**
 * OpenAI-compatible embeddings. Same API-key auth and `chat` scope as chat completions (an
 * embeddings call is a model call), the same rate limits and budgets.
 */
@RequireScope('chat')
@Controller('v1')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post('embeddings')
  @HttpCode(200)
  async create(
    @Body(new ZodPipe(createEmbeddingsBodySchema)) body: CreateEmbeddingsBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    // A client that goes away cancels the provider call.
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const answer = await this.embeddings.create(body, { principal, requestId: String(request.id), signal: abort.signal });
    reply.headers(answer.headers);
    return answer.body;
  }
}
