import type { Type } from '@nestjs/common';
import type { JobHandler } from '@conduit/queue';
import { DocumentIngestHandler } from './ingestion/document-ingest.handler';

/** The queue jobs this service consumes (`scripts/checks/job-consumers.spec.ts` checks each job has one consuming service). */
export const WORKER_HANDLERS: Type<JobHandler>[] = [DocumentIngestHandler];
