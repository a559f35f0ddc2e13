import { Module } from '@nestjs/common';
import { PromptsModule } from '@conduit/prompts';
import { PromptsController } from './prompts.controller';

/**
 * `/v1/prompts` (the templates API), and the gateway's one {@link PromptStore} (exported: async
 * jobs pin a label's version at submit). Its cached labels are a safety net of 60 s; changes are
 * announced over Redis.
 */
@Module({
  imports: [PromptsModule.forRoot({ cacheTtlMs: 60_000 })],
  controllers: [PromptsController],
  exports: [PromptsModule],
})
export class PromptsApiModule {}
