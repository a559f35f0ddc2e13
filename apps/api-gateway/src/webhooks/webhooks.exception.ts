import { ConduitException } from '@conduit/runtime';

export enum WebhooksErrorCode {
  /** The endpoint does not exist or is not the caller's tenant's. */
  EndpointNotFound = 'webhook_endpoint_not_found',
}

export class WebhooksException extends ConduitException<WebhooksErrorCode> {
  static endpointNotFound(id: string): WebhooksException {
    return new WebhooksException(WebhooksErrorCode.EndpointNotFound, `No webhook endpoint found with id '${id}'.`, { param: 'id' });
  }
}
