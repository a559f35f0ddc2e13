import { Module } from '@nestjs/common';
import { ConversationStoreModule } from '@conduit/conversations';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/**
 * `/v1/sessions`. Exports {@link SessionsService} so the chat path can call `assertOwned`, and the
 * conversation store for the messages API.
 */
@Module({
  imports: [ConversationStoreModule],
  controllers: [SessionsController],
  providers: [SessionsService],
  exports: [SessionsService, ConversationStoreModule],
})
export class SessionsModule {}
