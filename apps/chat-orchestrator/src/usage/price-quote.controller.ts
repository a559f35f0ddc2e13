import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { modelNameSchema } from '@conduit/contracts';
import { ZodPipe } from '@conduit/runtime';
import { assertInternalCaller } from '../internal/internal-caller';
import { INTERNAL_SETTINGS, InternalSettings } from '../internal/internal.constants';
import { PriceQuoteService } from './price-quote.service';

const querySchema = z.strictObject({ model: modelNameSchema });

/** `GET /internal/pricing/quote?model=`: what a call to `model` may cost at most, for the gateway. */
@Controller('internal/pricing')
export class PriceQuoteController {
  constructor(
    private readonly quotes: PriceQuoteService,
    @Inject(INTERNAL_SETTINGS) private readonly settings: InternalSettings,
  ) {}

  @Get('quote')
  quote(@Query(new ZodPipe(querySchema)) query: z.output<typeof querySchema>, @Req() request: FastifyRequest) {
    assertInternalCaller(request, this.settings.internalToken);
    return this.quotes.quote(query.model);
  }
}
