import { Controller, Get } from '@nestjs/common';
import { LlmGateway } from '@conduit/llm';

/** `GET /v1/models` of the gateway, answered from the routing table. */
@Controller('internal/models')
export class ModelsController {
  constructor(private readonly llm: LlmGateway) {}

  @Get()
  list() {
    return { object: 'list', data: this.llm.modelsList() };
  }
}
