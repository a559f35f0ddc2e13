import type { ScoreRecord } from '../scores/score-kinds';

/** A judge score of a message, `ok` unless overridden. */
export function scoreRecord(message: { id: string; tenantId: string; userId: string; createdAt: Date }, overrides: Partial<ScoreRecord> = {}): ScoreRecord {
  return {
    tenantId: message.tenantId,
    userId: message.userId,
    messageId: message.id,
    rubric: 'helpfulness',
    rubricVersion: 1,
    kind: 'llm',
    judgeModel: 'judge-model',
    model: 'model-a',
    templateVersion: null,
    score: 4,
    explanation: 'fine',
    status: 'ok',
    reason: 'sampled',
    costUsd: 0.001,
    latencyMs: 10,
    turnAt: message.createdAt,
    ...overrides,
  };
}
