import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AsyncJobObject, compatPolicyFor, ConduitHeader } from '@conduit/contracts';
import { PolicyStore } from '@conduit/policies';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import type { ListPage } from '../sessions/list-page';
import { ChatErrorCode, ChatException } from '../chat/chat.exception';
import { CreateJobBody, createJobBodySchema, idempotencyKeySchema, ListJobsQuery, listJobsQuerySchema, unknownJobChatFields, WebhookDeliveryObject } from './jobs.dto';
import { JobsErrorCode, JobsException } from './jobs.exception';
import { JobsService } from './jobs.service';
import { RequireScope } from '../auth/required-scope';

/**
 * Async jobs: `POST /v1/jobs` answers 202 at once with the job (`status_url` to poll), then a worker
 * runs it; the result is in `GET /v1/jobs/:id` and, with a `webhook_url`, sent as a signed webhook.
 */
@RequireScope('jobs')
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly policies: PolicyStore,
  ) {}

  @Post()
  @HttpCode(202)
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(createJobBodySchema)) body: CreateJobBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AsyncJobObject> {
    if (idempotencyKey !== undefined && !idempotencyKeySchema.safeParse(idempotencyKey).success) {
      throw new JobsException(JobsErrorCode.InvalidIdempotencyKey, 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
        param: 'idempotency-key',
      });
    }
    await this.unknownFields(request.body, principal, reply);
    const { job, replayed, headers } = await this.jobs.submit(body, { principal, idempotencyKey, requestId: String(request.id) });
    reply.headers(headers);
    reply.header('location', job.status_url);
    if (replayed) reply.header('idempotent-replayed', 'true');
    return job;
  }

  /** Unknown fields of the job's chat bodies: 400 `unsupported_parameter`, or dropped and named in `x-conduit-dropped-params` (as for chat). */
  private async unknownFields(raw: unknown, principal: Principal, reply: FastifyReply): Promise<void> {
    const unknown = unknownJobChatFields(raw).map((field) => field.replace(/[^\x21-\x7e]|,/g, '?').slice(0, 96));
    if (unknown.length === 0) return;
    const policy = await this.policies.get(principal.tenantId);
    if (compatPolicyFor(policy, principal.apiKeyId).unknown_params === 'drop') {
      reply.header(ConduitHeader.DroppedParams, unknown.slice(0, 32).join(','));
      return;
    }
    const [first] = unknown;
    throw new ChatException(ChatErrorCode.UnsupportedParameter, `Unsupported parameter: ${first} is not a chat completions parameter Conduit supports.`, { param: first });
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(listJobsQuerySchema)) query: ListJobsQuery): Promise<ListPage<AsyncJobObject>> {
    return this.jobs.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<AsyncJobObject> {
    return this.jobs.get(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<AsyncJobObject> {
    return this.jobs.cancel(principal, id);
  }

  @Get(':id/deliveries')
  deliveries(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ListPage<WebhookDeliveryObject>> {
    return this.jobs.deliveries(principal, id);
  }

  @Post(':id/deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  redeliver(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('delivery_id') deliveryId: string): Promise<WebhookDeliveryObject> {
    return this.jobs.redeliver(principal, id, deliveryId);
  }
}
