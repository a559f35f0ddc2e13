import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

/** `GET /v1/sessions/:id/messages` and `POST /v1/messages/:id/feedback`. */
@Module({
  imports: [SessionsModule],
  controllers: [MessagesController],
  providers: [MessagesService],
  exports: [MessagesService],
})
export class MessagesModule {}
