import { Injectable } from '@nestjs/common';
import { JobName, type MemoryExtract } from '@conduit/contracts';
import { memoryExtractionsTotal } from '@conduit/memory';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { type ExtractionOutcome, MemoryExtractor } from './memory-extractor';

/** `memory.extract`: extracts and reconciles one turn's facts about the user (see {@link MemoryExtractor}). */
@Injectable()
@HandlesJob(JobName.MemoryExtract)
export class MemoryExtractHandler implements JobHandler<typeof JobName.MemoryExtract> {
  constructor(private readonly extractor: MemoryExtractor) {}

  handle(payload: MemoryExtract): Promise<ExtractionOutcome> {
    return this.extractor.extract(payload);
  }

  /** The extractor could not be reached on the last attempt: nothing was written. */
  async onFinalFailure(): Promise<void> {
    memoryExtractionsTotal.inc({ outcome: 'failed' });
  }
}
