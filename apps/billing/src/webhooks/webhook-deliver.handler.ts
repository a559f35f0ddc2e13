import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, WebhookDeliver } from '@conduit/contracts';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { DeliveryOutcome, WebhookDispatcher } from './webhook.dispatcher';

/** `webhook.deliver`: one attempt per run (see {@link WebhookDispatcher}). */
@Injectable()
@HandlesJob(JobName.WebhookDeliver)
export class WebhookDeliverHandler implements JobHandler<typeof JobName.WebhookDeliver> {
  constructor(private readonly dispatcher: WebhookDispatcher) {}

  handle(payload: WebhookDeliver, job: Job): Promise<DeliveryOutcome> {
    return this.dispatcher.deliver(payload, job);
  }
}
