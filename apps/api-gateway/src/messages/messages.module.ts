import { Module } from '@nestjs/common';
import { EvaluationModule } from '@conduit/evaluation';
import { PoliciesModule } from '@conduit/policies';
import { SessionsModule } from '../sessions/sessions.module';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

/** `GET /v1/sessions/:id/messages` and `POST /v1/messages/:id/feedback` (which feeds the eval queue). */
@Module({
  imports: [SessionsModule, EvaluationModule, PoliciesModule.forRoot({ cacheTtlMs: 60_000 })],
  controllers: [MessagesController],
  providers: [MessagesService],
  exports: [MessagesService],
})
export class MessagesModule {}
