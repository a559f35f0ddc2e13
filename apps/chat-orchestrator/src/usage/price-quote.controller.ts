import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { modelNameSchema } from '@conduit/contracts';
import { ZodPipe } from '@conduit/runtime';
import { assertInternalCaller } from '../chat/chat-context';
import { CHAT_SETTINGS, ChatSettings } from '../chat/chat.constants';
import { toChatException } from '../chat/llm-error.mapping';
import { PriceQuoteService } from './price-quote.service';

const querySchema = z.strictObject({ model: modelNameSchema });

/** `GET /internal/pricing/quote?model=`: what a call to `model` may cost at most, for the gateway. */
@Controller('internal/pricing')
export class PriceQuoteController {
  constructor(
    private readonly quotes: PriceQuoteService,
    @Inject(CHAT_SETTINGS) private readonly settings: ChatSettings,
  ) {}

  @Get('quote')
  quote(@Query(new ZodPipe(querySchema)) query: z.output<typeof querySchema>, @Req() request: FastifyRequest) {
    assertInternalCaller(request, this.settings.internalToken);
    try {
      return this.quotes.quote(query.model);
    } catch (error) {
      throw toChatException(error);
    }
  }
}
