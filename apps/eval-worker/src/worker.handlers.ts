import type { Type } from '@nestjs/common';
import type { JobHandler } from '@conduit/queue';
import { EvalTurnHandler } from './judging/eval-turn.handler';

/** The queue jobs this service consumes (`scripts/checks/job-consumers.spec.ts` checks each job has one consuming service). */
export const WORKER_HANDLERS: Type<JobHandler>[] = [EvalTurnHandler];
