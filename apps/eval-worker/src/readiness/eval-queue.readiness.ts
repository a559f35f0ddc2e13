import { Inject, Injectable } from '@nestjs/common';
import { QueueName } from '@conduit/contracts';
import type { ReadinessCheck } from '@conduit/observability';
import { JobProducer } from '@conduit/queue';
import type { EvaluationSettings } from '../config/eval-worker.config';
import { EVALUATION_SETTINGS } from '../eval-worker.constants';

/**
 * Readiness of the `eval` consumer: the queue answers, and its oldest waiting job is younger than
 * `EVAL_READY_MAX_AGE_S` — an older one means this worker is not consuming (stuck, or no worker
 * is running) while turns keep arriving. Shows the waiting and active counts.
 */
@Injectable()
export class EvalQueueReadiness implements ReadinessCheck {
  readonly name = 'eval_queue';

  constructor(
    private readonly producer: JobProducer,
    @Inject(EVALUATION_SETTINGS) private readonly settings: EvaluationSettings,
  ) {}

  async check(): Promise<Record<string, unknown>> {
    const queue = this.producer.queue(QueueName.Eval);
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
    const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
    const ageS = oldest ? Math.max(0, Date.now() - oldest.timestamp - (oldest.opts.delay ?? 0)) / 1_000 : 0;
    if (ageS > this.settings.readyMaxAgeS) {
      throw new Error(`the oldest waiting eval job is ${Math.round(ageS)} s old (limit ${this.settings.readyMaxAgeS} s): the eval consumer is not keeping up`);
    }
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, oldest_waiting_s: Math.round(ageS) };
  }
}
