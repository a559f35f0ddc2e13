import { Injectable } from '@nestjs/common';
import { JobName, UsageEvent } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { HandlesJob, JobHandler } from '@conduit/queue';

/**
 * Records one usage event. The event id is the primary key, so a redelivered or retried event
 * is a no-op rather than a second charge.
 */
@Injectable()
@HandlesJob(JobName.UsageRecord)
export class UsageRecordHandler implements JobHandler<typeof JobName.UsageRecord> {
  constructor(private readonly prisma: PrismaService) {}

  async handle(event: UsageEvent): Promise<{ recorded: boolean }> {
    const { count } = await this.prisma.usageEvent.createMany({
      data: [
        {
          id: event.event_id,
          tenantId: event.tenant_id,
          userId: event.user_id,
          apiKeyId: event.api_key_id,
          requestId: event.request_id,
          provider: event.provider,
          model: event.model,
          inputTokens: event.input_tokens,
          outputTokens: event.output_tokens,
          cachedTokens: event.cached_tokens,
          latencyMs: event.latency_ms,
          feature: event.feature,
          occurredAt: new Date(event.occurred_at),
        },
      ],
      skipDuplicates: true,
    });
    return { recorded: count === 1 };
  }
}
