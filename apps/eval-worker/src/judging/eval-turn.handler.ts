import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EvalTurn, JobName } from '@conduit/contracts';
import { HandlesJob, isFinalAttempt, JobHandler } from '@conduit/queue';
import { EvaluationError, EvaluationErrorCode } from './evaluation.exception';
import { EvaluationOutcome, TurnEvaluator } from './turn-evaluator';

/**
 * Consumes `eval.turn`. Nothing here is on a chat's path: a judge that is down makes the job
 * retry (BullMQ backoff), and its last attempt records the missing rubrics as `failed`.
 */
@Injectable()
@HandlesJob(JobName.EvalTurn)
export class EvalTurnHandler implements JobHandler<typeof JobName.EvalTurn> {
  private readonly logger = new Logger(EvalTurnHandler.name);

  constructor(private readonly evaluator: TurnEvaluator) {}

  async handle(payload: EvalTurn, job: Job): Promise<EvaluationOutcome> {
    const final = isFinalAttempt(job);
    const outcome = await this.evaluator.evaluate(payload, final);
    this.logger.log({ tenant_id: payload.tenant_id, message_id: payload.message_id, reason: payload.reason, ...outcome }, 'turn evaluated');
    return outcome;
  }

  async onFinalFailure(payload: EvalTurn, _job: Job, error: Error): Promise<void> {
    // A message never stored (its turn failed to persist, or was deleted) leaves nothing to score.
    const missing = error instanceof EvaluationError && error.code === EvaluationErrorCode.TurnNotStored;
    this.logger.warn({ tenant_id: payload.tenant_id, message_id: payload.message_id, reason: payload.reason, err: error.message, missing }, 'turn evaluation gave up');
  }
}
