import type { Type } from '@nestjs/common';
import type { JobHandler } from '@conduit/queue';
import { JobExecuteHandler } from './jobs/job-execute.handler';
import { MemoryExtractHandler } from './memory/memory-extract.handler';
import { SessionSummarizeHandler } from './summaries/session-summarize.handler';

/** The queue jobs this service consumes (`scripts/checks/job-consumers.spec.ts` checks each job has one consuming service). */
export const WORKER_HANDLERS: Type<JobHandler>[] = [JobExecuteHandler, MemoryExtractHandler, SessionSummarizeHandler];
