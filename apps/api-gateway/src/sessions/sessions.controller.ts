import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import type { ListPage } from './list-page';
import {
  CreateSessionBody,
  createSessionBodySchema,
  DeletedSessionObject,
  ListSessionsQuery,
  listSessionsQuerySchema,
  SessionObject,
} from './sessions.dto';
import { SessionsService } from './sessions.service';
import { RequireScope } from '../auth/required-scope';

/** The caller's conversation sessions. Ids that are not the caller's answer 404 `session_not_found`. */
@RequireScope('chat')
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(createSessionBodySchema)) body: CreateSessionBody,
  ): Promise<SessionObject> {
    return this.sessions.create(principal, body);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listSessionsQuerySchema)) query: ListSessionsQuery,
  ): Promise<ListPage<SessionObject>> {
    return this.sessions.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SessionObject> {
    return this.sessions.get(principal, id);
  }

  @Delete(':id')
  delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeletedSessionObject> {
    return this.sessions.delete(principal, id);
  }
}
