import { ConduitException } from '@conduit/runtime';

export enum WebhooksErrorCode {
  /** The endpoint does not exist or is not the caller's tenant's. */
  EndpointNotFound = 'webhook_endpoint_not_found',
  /** Another registered endpoint of the tenant has that URL. */
  EndpointExists = 'webhook_endpoint_exists',
  /** The URL is not a public https URL (SSRF rules, see libs/webhooks). */
  InvalidEndpointUrl = 'invalid_webhook_endpoint_url',
}

export class WebhooksException extends ConduitException<WebhooksErrorCode> {
  static endpointNotFound(id: string): WebhooksException {
    return new WebhooksException(WebhooksErrorCode.EndpointNotFound, `No webhook endpoint found with id '${id}'.`, { param: 'id' });
  }

  static endpointExists(url: string): WebhooksException {
    return new WebhooksException(WebhooksErrorCode.EndpointExists, `A webhook endpoint with url '${url}' is already registered; change that one instead.`, {
      param: 'url',
    });
  }

  static invalidUrl(reason: string): WebhooksException {
    return new WebhooksException(WebhooksErrorCode.InvalidEndpointUrl, `${reason}.`, { param: 'url' });
  }
}
