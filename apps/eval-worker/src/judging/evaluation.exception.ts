/** Why an `eval.turn` attempt did not finish (classified by type; both are retried by the queue). */
export const EvaluationErrorCode = {
  /** The message is not in the database (yet: turns are written behind the answer). */
  TurnNotStored: 'turn_not_stored',
  /** A judge could not be reached; the rubrics it owes are judged again on the next attempt. */
  JudgeUnavailable: 'judge_unavailable',
} as const;
export type EvaluationErrorCode = (typeof EvaluationErrorCode)[keyof typeof EvaluationErrorCode];

export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';

  constructor(
    readonly code: EvaluationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
