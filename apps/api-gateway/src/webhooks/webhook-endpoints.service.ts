import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { WEBHOOK_TEST_EVENT } from '@conduit/contracts';
import { injectTraceCarrier } from '@conduit/observability';
import { JobProducer } from '@conduit/queue';
import { DeliveryStore, WebhookEndpoints, WebhookEvent, WebhookTargetError, assertWebhookUrlAllowed, enqueueWebhookDelivery } from '@conduit/webhooks';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { WEBHOOK_ENDPOINTS_OPTIONS, WebhookEndpointsOptions } from './webhook-endpoints.constants';
import { CreateEndpointBody, RegisteredEndpointObject, UpdateEndpointBody, WebhookTestObject, toRegisteredEndpointObject } from './webhook-endpoints.dto';
import { WebhooksException } from './webhooks.exception';

const MAX_ENDPOINTS_LISTED = 100;

/**
 * A tenant admin's registered webhook endpoints (the controller checks the role): URL checks, the
 * store calls, and the test-send, which goes the one delivery path (stored, then enqueued).
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpoints,
    private readonly deliveries: DeliveryStore,
    private readonly producer: JobProducer,
    @Inject(WEBHOOK_ENDPOINTS_OPTIONS) private readonly options: WebhookEndpointsOptions,
  ) {}

  async create(tenantId: string, body: CreateEndpointBody): Promise<RegisteredEndpointObject> {
    await this.checkUrl(body.url);
    const created = await this.endpoints.register(tenantId, body);
    if (!created) throw WebhooksException.endpointExists(body.url);
    return toRegisteredEndpointObject(created.endpoint, created.secret);
  }

  async list(tenantId: string): Promise<ListPage<RegisteredEndpointObject>> {
    const rows = await this.endpoints.list(tenantId, MAX_ENDPOINTS_LISTED, true);
    return toListPage(rows, MAX_ENDPOINTS_LISTED, (row) => toRegisteredEndpointObject(row));
  }

  async get(tenantId: string, id: string): Promise<RegisteredEndpointObject> {
    const endpoint = isUuid(id) ? await this.endpoints.getRegistered(tenantId, id) : null;
    if (!endpoint) throw WebhooksException.endpointNotFound(id);
    return toRegisteredEndpointObject(endpoint);
  }

  async update(tenantId: string, id: string, body: UpdateEndpointBody): Promise<RegisteredEndpointObject> {
    if (!isUuid(id)) throw WebhooksException.endpointNotFound(id);
    if (body.url !== undefined) await this.checkUrl(body.url);
    const updated = await this.endpoints.update(tenantId, id, body);
    if (updated === 'not_found') throw WebhooksException.endpointNotFound(id);
    if (updated === 'url_taken') throw WebhooksException.endpointExists(body.url ?? '');
    return toRegisteredEndpointObject(updated);
  }

  async remove(tenantId: string, id: string): Promise<{ id: string; object: 'webhook_endpoint.deleted'; deleted: true }> {
    const removed = isUuid(id) ? await this.endpoints.remove(tenantId, id) : null;
    if (!removed) throw WebhooksException.endpointNotFound(id);
    // Tenant-wide events still waiting for it are not sent (a job's own webhook_url keeps its deliveries).
    await this.deliveries.closePendingTo(tenantId, removed.url, 'endpoint_deleted');
    return { id, object: 'webhook_endpoint.deleted', deleted: true };
  }

  async rotate(tenantId: string, id: string, graceMs: number): Promise<RegisteredEndpointObject> {
    const rotated = isUuid(id) ? await this.endpoints.rotate(tenantId, id, graceMs) : null;
    if (!rotated) throw WebhooksException.endpointNotFound(id);
    return toRegisteredEndpointObject(rotated.endpoint, rotated.secret);
  }

  /** Sends a `webhook.test` event to the endpoint (whatever it subscribes to), with the usual signing, retries and log. */
  async test(tenantId: string, id: string): Promise<WebhookTestObject> {
    const endpoint = isUuid(id) ? await this.endpoints.getRegistered(tenantId, id) : null;
    if (!endpoint) throw WebhooksException.endpointNotFound(id);
    const event: WebhookEvent = {
      delivery_id: randomUUID(),
      tenant_id: tenantId,
      url: endpoint.url,
      event_type: WEBHOOK_TEST_EVENT,
      data: { endpoint_id: endpoint.id, message: 'A test event from Conduit: verify its signature with this endpoint’s secret.' },
      occurred_at: new Date().toISOString(),
    };
    await this.deliveries.insert([{ event, traceparent: injectTraceCarrier().traceparent ?? null }]);
    await enqueueWebhookDelivery(this.producer, event);
    return { object: 'webhook_endpoint.test', endpoint_id: endpoint.id, delivery_id: event.delivery_id, event_type: WEBHOOK_TEST_EVENT };
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await assertWebhookUrlAllowed(url, this.options.policy, this.options.resolver);
    } catch (error) {
      if (!(error instanceof WebhookTargetError)) throw error;
      throw WebhooksException.invalidUrl(error.message);
    }
  }
}
