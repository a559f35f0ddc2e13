import type { Type } from '@nestjs/common';
import type { JobHandler } from '@conduit/queue';
import { UsageBatchHandler } from './usage/usage-batch.handler';
import { UsageRecordHandler } from './usage/usage-record.handler';
import { WebhookDeliverHandler } from './webhooks/webhook-deliver.handler';

/** The queue jobs this service consumes (`scripts/checks/job-consumers.spec.ts` checks each job has one consuming service). */
export const WORKER_HANDLERS: Type<JobHandler>[] = [UsageRecordHandler, UsageBatchHandler, WebhookDeliverHandler];
