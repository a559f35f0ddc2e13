import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { modelNameSchema } from '@conduit/contracts';
import { ZodPipe } from '@conduit/runtime';
import { InternalCallerGuard } from '../internal/internal-caller';
import { PriceQuoteService } from './price-quote.service';

const querySchema = z.strictObject({ model: modelNameSchema });

/** `GET /internal/pricing/quote?model=`: what a call to `model` may cost at most, for the gateway. */
@Controller('internal/pricing')
@UseGuards(InternalCallerGuard)
export class PriceQuoteController {
  constructor(private readonly quotes: PriceQuoteService) {}

  @Get('quote')
  quote(@Query(new ZodPipe(querySchema)) query: z.output<typeof querySchema>) {
    return this.quotes.quote(query.model);
  }
}
