import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '@conduit/contracts';
import { DocumentStatus, PrismaService } from '@conduit/db';
import { QUEUE_OPTIONS, type QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { MAX_ERROR_LENGTH } from './ingestion.exception';

const JOB_ID = /^document-([0-9a-f-]{36})-([0-9]+)$/;

/**
 * Safety net for failures the handler never sees: BullMQ fails a job that stalled too often
 * (its worker died mid-run more than once) without calling the processor. Any ingestion job that
 * ends failed leaves its document `failed` with the queue's reason, never stuck in a working state.
 */
@Injectable()
export class IngestionFailureListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IngestionFailureListener');
  private events: QueueEvents | undefined;
  private connection: Redis | undefined;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(QUEUE_OPTIONS) private readonly queue: QueueModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    // QueueEvents blocks on its connection: it gets its own, which this class closes.
    this.connection = this.redis.duplicate();
    this.events = new QueueEvents(QueueName.Ingestion, { connection: this.connection, prefix: this.queue.prefix });
    this.events.on('failed', ({ jobId, failedReason }) => void this.markFailed(jobId, failedReason));
    this.events.on('error', (error) => this.logger.warn({ err: error.message }, 'queue events error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }

  async markFailed(jobId: string, failedReason: string): Promise<void> {
    const match = JOB_ID.exec(jobId);
    if (!match) return;
    const reason = `ingestion job failed: ${failedReason}`.slice(0, MAX_ERROR_LENGTH);
    try {
      await this.prisma.document.updateMany({
        where: { id: match[1], attempts: Number(match[2]), status: { notIn: [DocumentStatus.indexed, DocumentStatus.failed] } },
        data: { status: DocumentStatus.failed, error: reason },
      });
    } catch (error) {
      this.logger.error({ job_id: jobId, err: error }, 'could not mark the document failed');
    }
  }
}
