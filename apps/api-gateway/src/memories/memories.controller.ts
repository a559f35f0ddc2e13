import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { RequireScope } from '../auth/required-scope';
import type { ListPage } from '../sessions/list-page';
import {
  type CreateMemoryBody,
  createMemoryBodySchema,
  type DeletedMemoryObject,
  type ForgottenMemoriesObject,
  type ListMemoriesQuery,
  listMemoriesQuerySchema,
  type MemoryObject,
} from './memories.dto';
import { MemoriesService } from './memories.service';

/** The caller's long-term memories (issue 21). Ids that are not the caller's answer 404 `memory_not_found`. */
@RequireScope('chat')
@Controller('v1/memories')
export class MemoriesController {
  constructor(private readonly memories: MemoriesService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(listMemoriesQuerySchema)) query: ListMemoriesQuery): Promise<ListPage<MemoryObject>> {
    return this.memories.list(principal, query);
  }

  /** 201 with the new memory; 200 with the one kept already when the user has the same fact. */
  @Post()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(createMemoryBodySchema)) body: CreateMemoryBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MemoryObject> {
    const { memory, created } = await this.memories.create(principal, body);
    reply.status(created ? 201 : 200);
    return memory;
  }

  @Delete()
  deleteAll(@CurrentPrincipal() principal: Principal): Promise<ForgottenMemoriesObject> {
    return this.memories.deleteAll(principal);
  }

  @Delete(':id')
  delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeletedMemoryObject> {
    return this.memories.delete(principal, id);
  }
}
