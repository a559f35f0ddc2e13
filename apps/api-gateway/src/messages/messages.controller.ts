import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import type { ListPage } from '../sessions/list-page';
import {
  FeedbackBody,
  feedbackBodySchema,
  ListMessagesQuery,
  listMessagesQuerySchema,
  MessageObject,
} from './messages.dto';
import { MessagesService } from './messages.service';
import { RequireScope } from '../auth/required-scope';

/** Message history of a session and feedback on assistant messages. */
@RequireScope('chat')
@Controller('v1')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('sessions/:id/messages')
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') sessionId: string,
    @Query(new ZodPipe(listMessagesQuerySchema)) query: ListMessagesQuery,
  ): Promise<ListPage<MessageObject>> {
    return this.messages.listForSession(principal, sessionId, query);
  }

  @Post('messages/:id/feedback')
  @HttpCode(200)
  feedback(
    @CurrentPrincipal() principal: Principal,
    @Param('id') messageId: string,
    @Body(new ZodPipe(feedbackBodySchema)) body: FeedbackBody,
  ): Promise<MessageObject> {
    return this.messages.rate(principal, messageId, body);
  }
}
