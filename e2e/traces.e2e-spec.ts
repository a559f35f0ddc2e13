import { randomUUID } from 'node:crypto';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import type { ReceivedSpan } from './support/otlp-receiver';
import { RunningService, startReady } from './support/service-process';
import { WebhookReceiver } from './support/webhook-receiver';

jest.setTimeout(150_000);

/** OTLP span kinds. */
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

type Matcher = (span: ReceivedSpan) => boolean;

/** The span's ancestors, nearest first, within one trace's spans. */
function ancestors(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  let parent = byId.get(span.parentSpanId);
  while (parent && chain.length < 1_000) {
    chain.push(parent);
    parent = byId.get(parent.parentSpanId);
  }
  return chain;
}

/**
 * Waits until the trace holds every expected span and no span is orphaned (every parent id is a
 * span of the trace: late exporters have caught up), then returns the spans.
 */
async function completeTrace(platform: ChatPlatform, traceId: string, expected: Record<string, Matcher>): Promise<ReceivedSpan[]> {
  const spansOf = () => platform.otlp.spans.filter((s) => s.traceId === traceId);
  const missing = (spans: ReceivedSpan[]) => Object.entries(expected).filter(([, match]) => !spans.some(match)).map(([name]) => name);
  const orphans = (spans: ReceivedSpan[]) => {
    const ids = new Set(spans.map((s) => s.spanId));
    return spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId));
  };
  // A deadline, not a wait: batch export runs every few seconds per service, and a loaded CI
  // machine (several e2e suites at once) stretches it.
  return waitFor(spansOf, {
    what: `a complete trace ${traceId} with ${Object.keys(expected).join(', ')} and no orphans`,
    until: (spans) => missing(spans).length === 0 && orphans(spans).length === 0,
    // Below the test's own timeout, so a failure names the missing spans rather than "Exceeded timeout".
    timeoutMs: 100_000,
  }).catch((error: unknown) => {
    const spans = spansOf();
    const lonely = orphans(spans).map((s) => `${s.service}:${s.name}(parent ${s.parentSpanId})`);
    throw new Error(`${String(error).slice(0, 300)}\nmissing: ${missing(spans).join(', ') || 'none'}; orphans: ${lonely.join(', ') || 'none'}; ${spans.length} spans`);
  });
}

/**
 * Each expected span, in order, descends from one matching the step before it (a service may
 * serve several requests of the trace, e.g. the orchestrator's internal calls, so any match counts).
 */
function expectLineage(spans: ReceivedSpan[], chain: [string, Matcher][]): void {
  const broken: string[] = [];
  for (let i = 1; i < chain.length; i++) {
    const [what, match] = chain[i];
    const [parentWhat, parentMatch] = chain[i - 1];
    const linked = spans.filter(match).some((span) => ancestors(span, spans).some(parentMatch));
    if (!linked) broken.push(`${what} does not descend from ${parentWhat}`);
  }
  expect(broken).toEqual([]);
}

/** One trace, one root, no orphan; returns the root. */
function expectOneTree(spans: ReceivedSpan[]): ReceivedSpan {
  const ids = new Set(spans.map((s) => s.spanId));
  const orphans = spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId));
  expect(orphans.map((s) => `${s.service}: ${s.name}`)).toEqual([]);
  const roots = spans.filter((s) => s.parentSpanId === '');
  expect(roots.map((s) => `${s.service}: ${s.name}`)).toHaveLength(1);
  return roots[0];
}

describe('trace completeness: one request, one tree across every service (OTLP received in the test)', () => {
  let platform: ChatPlatform;
  let worker: RunningService;
  let receiver: WebhookReceiver;
  let alice: TenantWithUser;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    const storage = { BLOB_STORE: 'postgres', VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' };
    const webhookEnv = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };
    platform = await startChatPlatform(storage, { gatewayEnv: { ...storage, ...webhookEnv }, billingEnv: webhookEnv });
    worker = await startReady('ingestion-worker', { ...storage, QUEUE_PREFIX: platform.queuePrefix });
    alice = await createTenantWithUser(platform.prisma);
    const form = new FormData();
    form.append('collection', 'traced');
    form.append('file', new Blob(['# Lava\n\nBasalt lava flows from shield volcanoes are fluid and travel far.'], { type: 'text/markdown' }), 'lava.md');
    const upload = await fetch(`${platform.gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: alice.authHeader }, body: form });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: string };
    await waitFor(() => platform.prisma.document.findUnique({ where: { id }, select: { status: true } }), {
      what: 'the document indexed',
      until: (row) => row?.status === 'indexed',
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    if (platform) {
      if (alice) await removeTenants(platform.prisma, [alice.tenant]);
      await platform.stop();
    }
    await receiver?.stop();
  });

  it('chat with retrieval: gateway server → orchestrator server → retrieval, provider call (GenAI attributes) → usage producer → billing consumer', async () => {
    const response = await fetch(`${platform.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: alice.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'How far does basalt lava travel?' }], conduit: { collection: 'traced' } }),
    });
    expect(response.status).toBe(200);
    const traceId = response.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const gatewayServer: Matcher = (s) => s.service === 'api-gateway' && s.kind === SERVER;
    const orchestratorServer: Matcher = (s) => s.service === 'chat-orchestrator' && s.kind === SERVER;
    const retrieval: Matcher = (s) => s.service === 'chat-orchestrator' && s.name === 'retrieval';
    const providerCall: Matcher = (s) => s.kind === CLIENT && s.attributes['gen_ai.operation.name'] === 'chat';
    const usageProducer: Matcher = (s) => s.service === 'chat-orchestrator' && s.kind === PRODUCER;
    const billingConsumer: Matcher = (s) => s.service === 'billing' && s.kind === CONSUMER;
    const spans = await completeTrace(platform, traceId, { gatewayServer, orchestratorServer, retrieval, providerCall, usageProducer, billingConsumer });

    const root = expectOneTree(spans);
    expect(gatewayServer(root)).toBe(true);
    expectLineage(spans, [
      ['gateway server span', gatewayServer],
      ['orchestrator server span', orchestratorServer],
      ['retrieval', retrieval],
    ]);
    expectLineage(spans, [
      ['orchestrator server span', orchestratorServer],
      ['provider call', providerCall],
    ]);
    expectLineage(spans, [
      ['orchestrator server span', orchestratorServer],
      ['usage producer', usageProducer],
      ['billing consumer', billingConsumer],
    ]);
    const call = spans.find(providerCall);
    expect(call?.name).toBe(`chat ${String(call?.attributes['gen_ai.request.model'])}`);
    expect(call?.attributes).toMatchObject({ 'gen_ai.provider.name': expect.any(String), 'gen_ai.response.model': expect.any(String) });
    expect(Number(call?.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
    expect(Number(call?.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    // Not split: no other trace holds a span of this request's billing.
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['api-gateway', 'chat-orchestrator', 'billing']));
  });

  it('async job: submit → producer → worker → provider call → webhook attempt, in one tree', async () => {
    const url = receiver.script(`/traced-${randomUUID()}`, [200]);
    const response = await fetch(`${platform.gateway.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: alice.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'chat.completion', input: { model: 'default', messages: [{ role: 'user', content: 'Trace the job' }] }, webhook_url: url }),
    });
    expect(response.status).toBe(202);
    const traceId = response.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const { id } = (await response.json()) as { id: string };

    const submit: Matcher = (s) => s.service === 'api-gateway' && s.kind === SERVER;
    const producer: Matcher = (s) => s.service === 'api-gateway' && s.kind === PRODUCER;
    const jobWorker: Matcher = (s) => s.service === 'chat-orchestrator' && s.kind === CONSUMER;
    const providerCall: Matcher = (s) => s.kind === CLIENT && s.attributes['gen_ai.operation.name'] === 'chat';
    const webhookAttempt: Matcher = (s) => s.service === 'billing' && s.name === 'webhook.attempt';
    const spans = await completeTrace(platform, traceId, { submit, producer, jobWorker, providerCall, webhookAttempt });

    expect(submit(expectOneTree(spans))).toBe(true);
    expectLineage(spans, [
      ['submit', submit],
      ['producer', producer],
      ['worker', jobWorker],
      ['provider call', providerCall],
    ]);
    expectLineage(spans, [
      ['worker', jobWorker],
      ['webhook attempt', webhookAttempt],
    ]);
    expect(spans.find(webhookAttempt)?.attributes['conduit.job.id']).toBe(id);
  });
});
