import { Injectable } from '@nestjs/common';
import { EvalPolicy, EvalReason, JobName, evalTurnJobId } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';
import { evalSampledTurnsTotal } from '../evaluation.metrics';
import { isSampled } from './eval-sampling';

/** Turns are written behind the answer: the first judging attempt waits a little for the row. */
export const EVAL_TURN_DELAY_MS = 2_000;

/**
 * The producer of `eval.turn` (consumed by the eval worker). The orchestrator calls
 * {@link afterTurn} once a turn is handed to persistence, the gateway {@link afterFeedback} when a
 * user rates an answer. Both only enqueue — judging happens in the eval worker — and job ids are
 * deterministic per message and reason, so a re-run turn is judged once.
 */
@Injectable()
export class EvalTurnProducer {
  constructor(private readonly producer: JobProducer) {}

  /**
   * Why a stored turn is evaluated, if it is: guardrail-flagged turns always, others when the hash
   * of their message id falls below the tenant's `sample_rate`; null when the policy is off.
   */
  static reasonFor(messageId: string, flagged: boolean, policy: EvalPolicy): EvalReason | null {
    if (!policy.enabled) return null;
    if (flagged) return 'guardrail_flagged';
    return isSampled(messageId, policy.sample_rate) ? 'sampled' : null;
  }

  /** Enqueues the turn when it is sampled; resolves to the reason (null: not sampled). */
  async afterTurn(turn: { tenantId: string; messageId: string; flagged: boolean }, policy: EvalPolicy): Promise<EvalReason | null> {
    const reason = EvalTurnProducer.reasonFor(turn.messageId, turn.flagged, policy);
    if (!reason) return null;
    await this.producer.enqueue(
      JobName.EvalTurn,
      { tenant_id: turn.tenantId, message_id: turn.messageId, reason },
      { jobId: evalTurnJobId(turn.messageId, reason), delay: EVAL_TURN_DELAY_MS },
    );
    evalSampledTurnsTotal.inc({ reason });
    return reason;
  }

  /**
   * A user rated an answer: a thumbs-down is always judged (while the tenant's eval is on); a
   * thumbs-up only folds the rating into the scores (no judge call).
   */
  async afterFeedback(rated: { tenantId: string; messageId: string; rating: 'up' | 'down' }, policy: EvalPolicy): Promise<void> {
    if (!policy.enabled) return;
    const reason: EvalReason = rated.rating === 'down' ? 'thumbs_down' : 'feedback';
    await this.producer.enqueue(
      JobName.EvalTurn,
      { tenant_id: rated.tenantId, message_id: rated.messageId, reason },
      { jobId: evalTurnJobId(rated.messageId, reason, rated.rating) },
    );
    evalSampledTurnsTotal.inc({ reason });
  }
}
