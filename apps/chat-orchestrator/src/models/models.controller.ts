import { Controller, Get, UseGuards } from '@nestjs/common';
import { LlmGateway } from '@conduit/llm';
import { InternalCallerGuard } from '../internal/internal-caller';

/** `GET /v1/models` of the gateway, answered from the routing table (internal callers only). */
@Controller('internal/models')
@UseGuards(InternalCallerGuard)
export class ModelsController {
  constructor(private readonly llm: LlmGateway) {}

  @Get()
  list() {
    return { object: 'list', data: this.llm.modelsList() };
  }
}
