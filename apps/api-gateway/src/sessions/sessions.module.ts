import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/**
 * `/v1/sessions`. Exports {@link SessionsService} so the chat path can call `assertOwned`.
 * PrismaService comes from the global DbModule.
 */
@Module({
  controllers: [SessionsController],
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
