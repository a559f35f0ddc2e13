import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { GEN_AI, shutdownTelemetry, startTelemetry } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** The mock upstream echoes the prompt's words, so the answer carries the planted values too. */
const PLANTED = 'Mail ann.lee@example.com card 4111-1111-1111-1111 please';

interface CapturedMessage {
  role: string;
  parts: { type: string; content: string }[];
}

/**
 * Opt-in message content on the provider-call spans (`tracing.capture_content`): absent by
 * default, present and scrubbed of PII (the log scrubber's detectors) when the tenant turns it on,
 * cut to `tracing.max_chars`, for sync and streamed answers, and never for another tenant.
 */
describe('model call: message content on provider spans', () => {
  const exporter = new InMemorySpanExporter();
  let t: OrchestratorTestApp;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    // Batches are flushed every 5 s by default; the waits below need not sit through that.
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    startTelemetry({ serviceName: 'content-capture-test', exporter });
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
  }, 60_000);

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await t?.close();
    await shutdownTelemetry();
    delete process.env.OTEL_BSP_SCHEDULE_DELAY;
  });

  async function tenant(policy?: unknown): Promise<TestOwner> {
    const owner = await createOwner(t.prisma);
    owners.push(owner);
    if (policy !== undefined) await t.app.get(PolicyStore).put(owner.tenantId, policy, 'test');
    return owner;
  }

  const providerSpans = () => exporter.getFinishedSpans().filter((s) => s.attributes[GEN_AI.operation] === 'chat');

  /** One chat of `owner` (the only request in flight); its provider-call span once it ended. */
  async function chatSpan(owner: TestOwner, extra: Record<string, unknown> = {}): Promise<{ span: ReadableSpan; text: string }> {
    exporter.reset();
    const response = await internalChat(t, INTERNAL_TOKEN, owner, { messages: [{ role: 'user', content: PLANTED }], ...extra });
    expect(response.status).toBe(200);
    const text = await response.text();
    const [span] = await waitFor(providerSpans, { what: 'the provider-call span of the request', until: (found) => found.length === 1, timeoutMs: 20_000 });
    return { span, text };
  }

  const messagesOf = (span: ReadableSpan, key: string) => JSON.parse(String(span.attributes[key])) as CapturedMessage[];

  it('records no content by default', async () => {
    const { span, text } = await chatSpan(await tenant());
    expect(text).toContain('ann.lee@example.com'); // the planted values did reach the provider and come back
    expect(span.attributes[GEN_AI.inputMessages]).toBeUndefined();
    expect(span.attributes[GEN_AI.outputMessages]).toBeUndefined();
    expect(span.attributes[GEN_AI.requestModel]).toBeDefined();
  });

  it('records the prompt and the answer after the PII guard when the tenant opts in', async () => {
    const { span } = await chatSpan(await tenant({ tracing: { capture_content: true } }));
    const input = messagesOf(span, GEN_AI.inputMessages);
    expect(input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Mail [redacted:email] card [redacted:card] please' }] }]);
    const output = messagesOf(span, GEN_AI.outputMessages);
    expect(output[0]).toMatchObject({ role: 'assistant', finish_reason: 'stop' });
    expect(output[0].parts[0].content).toContain('[redacted:email] card [redacted:card]');
    for (const key of [GEN_AI.inputMessages, GEN_AI.outputMessages]) {
      expect(String(span.attributes[key])).not.toContain('ann.lee@example.com');
      expect(String(span.attributes[key])).not.toContain('4111');
    }
  });

  it('records the assembled answer of a stream when it ends', async () => {
    const { span, text } = await chatSpan(await tenant({ tracing: { capture_content: true } }), { stream: true });
    expect(text).toContain('data: [DONE]');
    const output = messagesOf(span, GEN_AI.outputMessages);
    expect(output[0].parts[0].content).toMatch(/^Mock reply: Mail \[redacted:email\] card \[redacted:card\] please/);
    expect(String(span.attributes[GEN_AI.outputMessages])).not.toContain('ann.lee@example.com');
    expect(messagesOf(span, GEN_AI.inputMessages)[0].parts[0].content).toBe('Mail [redacted:email] card [redacted:card] please');
  });

  it('cuts each message to max_chars', async () => {
    const { span } = await chatSpan(await tenant({ tracing: { capture_content: true, max_chars: 10 } }));
    expect(messagesOf(span, GEN_AI.inputMessages)[0].parts[0].content).toBe('Mail [reda');
    expect(messagesOf(span, GEN_AI.outputMessages)[0].parts[0].content).toHaveLength(10);
  });

  it("one tenant's opt-in never puts content on another tenant's spans", async () => {
    const on = await tenant({ tracing: { capture_content: true } });
    const off = await tenant({ tracing: { max_chars: 100 } });
    exporter.reset();
    const ask = (owner: TestOwner, word: string) => internalChat(t, INTERNAL_TOKEN, owner, { messages: [{ role: 'user', content: `${word} ${PLANTED}` }] });
    const responses = await Promise.all([ask(on, 'alpha'), ask(off, 'bravo'), ask(on, 'charlie'), ask(off, 'delta')]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const spans = await waitFor(providerSpans, { what: 'the four provider-call spans', until: (found) => found.length === 4, timeoutMs: 20_000 });
    const captured = spans.filter((s) => s.attributes[GEN_AI.inputMessages] !== undefined);
    // Exactly the opted-in tenant's two requests carry content; the other two spans carry none at all.
    expect(captured.map((s) => messagesOf(s, GEN_AI.inputMessages)[0].parts[0].content.split(' ')[0]).sort()).toEqual(['alpha', 'charlie']);
    const bare = spans.filter((s) => s.attributes[GEN_AI.inputMessages] === undefined);
    expect(bare).toHaveLength(2);
    for (const span of bare) expect(span.attributes[GEN_AI.outputMessages]).toBeUndefined();
  });

  it('refuses a bad tracing policy, naming the field', async () => {
    const owner = await tenant();
    const policies = t.app.get(PolicyStore);
    await expect(policies.put(owner.tenantId, { tracing: { capture_content: 'yes' } }, 'test')).rejects.toThrow(/tracing\.capture_content/);
    await expect(policies.put(owner.tenantId, { tracing: { max_chars: 1_000_000 } }, 'test')).rejects.toThrow(/tracing\.max_chars/);
    await expect(policies.put(owner.tenantId, { tracing: { capture: true } }, 'test')).rejects.toThrow(/tracing/);
  });
});
