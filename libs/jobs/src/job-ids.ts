import { uuidFromName } from '@conduit/contracts';

/**
 * Ids of everything a job writes, derived from the job id: a job re-run after a crash or a retry
 * writes the same session, messages and usage events (deduplicated by primary key) and sends the
 * same webhook, instead of new ones.
 */
export const jobIds = {
  /** The session of a job (or of batch item `item`) that names none. */
  session: (jobId: string, item = 0) => uuidFromName(`job:${jobId}:item:${item}:session`),
  userMessage: (jobId: string, item = 0) => uuidFromName(`job:${jobId}:item:${item}:user`),
  /** Also the usage event id (`usage-<id>` job): billed once however often the job runs. */
  assistantMessage: (jobId: string, item = 0) => uuidFromName(`job:${jobId}:item:${item}:assistant`),
  responseId: (jobId: string, item = 0) => `chatcmpl-${uuidFromName(`job:${jobId}:item:${item}:response`).replace(/-/g, '')}`,
  /**
   * The job's budget reservation, made by the gateway at submit: the worker and the reconciler
   * find it from the job id alone (settled by the turn of a `chat.completion`, released when the
   * job reaches a terminal status).
   */
  reservation: (jobId: string) => uuidFromName(`job:${jobId}:reservation`),
  /** The webhook delivery of the job's terminal event. */
  webhookDelivery: (jobId: string) => uuidFromName(`job:${jobId}:webhook`),
  /** The webhook delivery of the job's `job.requires_action` event for one tool confirmation (a job may pause more than once). */
  actionWebhookDelivery: (jobId: string, confirmationId: string) => uuidFromName(`job:${jobId}:requires_action:${confirmationId}:webhook`),
};

/** Redis pub/sub channel on which cancellations of running jobs are announced. */
export function jobCancelChannel(queuePrefix: string): string {
  return `${queuePrefix}:jobs:cancel`;
}
