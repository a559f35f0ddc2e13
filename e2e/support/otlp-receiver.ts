import { AddressInfo } from 'node:net';
import { propagation } from '@opentelemetry/api';
import { createServer, Server } from 'node:http';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = Object.values(value)[0];
  return out;
}

/** A loopback OTLP/HTTP (JSON) trace receiver standing in for Jaeger or a collector. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    // The test's own requests must not carry a trace context: a test that ran earlier in this jest
    // worker may have left OpenTelemetry registered, and its `traceparent` would make the gateway's
    // server span the child of a span that is never exported here (an orphan).
    propagation.disable();
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        try {
          this.collect(JSON.parse(body));
        } catch {
          // not JSON (protobuf): ignored; services are started with the JSON protocol
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Environment for a service that should export here quickly. */
  env(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private collect(payload: { resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] }) {
    for (const resourceSpan of payload.resourceSpans ?? []) {
      const service = String(attributes(resourceSpan.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpan.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: String(span.traceId),
            spanId: String(span.spanId),
            parentSpanId: String(span.parentSpanId ?? ''),
            name: String(span.name),
            kind: Number(span.kind),
            attributes: attributes(span.attributes as OtlpAttribute[]),
          });
        }
      }
    }
  }
}
