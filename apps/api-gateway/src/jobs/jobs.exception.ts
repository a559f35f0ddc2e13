import { ConduitException } from '@conduit/runtime';

export enum JobsErrorCode {
  /** The job does not exist or is not the caller's (existence is never revealed). */
  JobNotFound = 'job_not_found',
  DeliveryNotFound = 'delivery_not_found',
  InvalidCursor = 'invalid_cursor',
  InvalidRequest = 'invalid_request',
  InvalidIdempotencyKey = 'invalid_idempotency_key',
  /** The Idempotency-Key was used before with a different body. */
  IdempotencyKeyReused = 'idempotency_key_reused',
  JobNotCancellable = 'job_not_cancellable',
  InvalidWebhookUrl = 'invalid_webhook_url',
  WebhookEndpointDisabled = 'webhook_endpoint_disabled',
  DeliveryInProgress = 'delivery_in_progress',
  MaxTokensTooLarge = 'max_tokens_too_large',
  /** A request names a model outside the API key's allow-list (the same code as chat's). */
  ModelNotAllowed = 'model_not_allowed',
}

export class JobsException extends ConduitException<JobsErrorCode> {
  static notFound(jobId: string): JobsException {
    return new JobsException(JobsErrorCode.JobNotFound, `No job found with id '${jobId}'.`, { param: 'id' });
  }

  static deliveryNotFound(deliveryId: string): JobsException {
    return new JobsException(JobsErrorCode.DeliveryNotFound, `No webhook delivery found with id '${deliveryId}'.`, { param: 'delivery_id' });
  }
}
