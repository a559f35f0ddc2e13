import type { JobsSettings } from '@conduit/jobs';
import type { Resolver, WebhookTargetPolicy } from '@conduit/webhooks';

export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');

export interface JobsOptions {
  jobs: JobsSettings;
  /** Where webhook URLs may point (checked, DNS included, when a job is submitted). */
  webhookPolicy: WebhookTargetPolicy;
  /** Same limit as the chat endpoint (`MAX_TOKENS_LIMIT`). */
  maxTokensLimit: number;
  /** DNS for webhook URL checks; tests replace it. */
  resolver?: Resolver;
}
