import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JobName, type MemoryPolicy, memoryExtractJobId } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';

/** Where a message id falls in [0, 1) for memory sampling (SHA-256 of a memory-specific name: independent of eval sampling). */
export function memorySampleShareOf(messageId: string): number {
  return createHash('sha256').update(`memory:${messageId}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** Whether a turn's facts are extracted: the tenant's mode is `full` and the deterministic sample takes it. */
export function isExtracted(messageId: string, policy: Pick<MemoryPolicy, 'mode' | 'extraction_sample_rate'>): boolean {
  return policy.mode === 'full' && policy.extraction_sample_rate > 0 && memorySampleShareOf(messageId) < policy.extraction_sample_rate;
}

export interface ExtractableTurn {
  tenantId: string;
  userId: string;
  /** The turn's assistant message id (the job id). */
  messageId: string;
  userText: string;
  assistantText: string;
  requestId: string | null;
}

/**
 * The producer of `memory.extract` (consumed by the chat orchestrator's worker). The job id is the
 * turn's, so a turn enqueued twice (an async job run again) is extracted once.
 */
@Injectable()
export class MemoryExtractionProducer {
  constructor(private readonly producer: JobProducer) {}

  /** Enqueues the turn when the policy extracts it; whether it did. */
  async afterTurn(turn: ExtractableTurn, policy: Pick<MemoryPolicy, 'mode' | 'extraction_sample_rate'>): Promise<boolean> {
    if (!isExtracted(turn.messageId, policy) || turn.userText.trim() === '') return false;
    await this.producer.enqueue(
      JobName.MemoryExtract,
      {
        tenant_id: turn.tenantId,
        user_id: turn.userId,
        message_id: turn.messageId,
        user_text: turn.userText.slice(0, 100_000),
        assistant_text: turn.assistantText.slice(0, 100_000),
        request_id: turn.requestId?.slice(0, 128) ?? null,
      },
      // The turn's text leaves Redis once the job is done (a re-enqueued turn finds its extraction recorded).
      { jobId: memoryExtractJobId(turn.messageId), attempts: 3, removeOnComplete: true, removeOnFail: { age: 24 * 3_600 } },
    );
    return true;
  }
}
