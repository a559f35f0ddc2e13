import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { JobName, QueueName, UsageEvent } from '@conduit/contracts';
import type { Job } from '@conduit/db';
import { JobLifecycle } from '@conduit/jobs';
import { shutdownTelemetry, startTelemetry } from '@conduit/observability';
import { promptChannel, PromptStore, promptVersionInputSchema } from '@conduit/prompts';
import { REDIS_CONNECTION } from '@conduit/queue';
import { waitFor } from '@conduit/testing';
import { createJobRow, createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';
import { PROMPT_NAME_ATTRIBUTE, PROMPT_VERSION_ATTRIBUTE } from './template.stage';

const INTERNAL_TOKEN = `token-${randomUUID()}`;

/**
 * Stage `template` on two orchestrator processes (own Nest app, own Redis subscription, own
 * template cache whose safety-net TTL is 60 s), sharing Postgres, Redis and the mock upstream's
 * log: rendering before the client's messages, defaults, variable errors, traceability (message
 * rows, usage events, spans), label moves and rollback across processes, async jobs.
 */
describe('prompt templates in the chat pipeline', () => {
  const exporter = new InMemorySpanExporter();
  let a: OrchestratorTestApp;
  let b: OrchestratorTestApp;
  let owner: TestOwner;
  let admin: PromptStore;
  const name = `support-${randomUUID().slice(0, 8)}`;

  const chat = (app: OrchestratorTestApp, body: Record<string, unknown>, headers: Record<string, string> = {}) => internalChat(app, INTERNAL_TOKEN, owner, body, { headers });
  const ask = (prompt: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content: 'Where is my parcel?' }], conduit: { prompt: { name, ...prompt } }, ...extra });
  const promptTextOf = async (app: OrchestratorTestApp, response: Response) => {
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string };
    const entry = app.mock.state.requests.list().find((e) => e.prompt_text.includes('Where is my parcel?') && e.started_at >= 0);
    return { body, text: entry?.prompt_text ?? '' };
  };
  /** Which version answered on this process: the system line of the last upstream request. */
  const servedBy = async (app: OrchestratorTestApp) => {
    app.mock.state.requests.clear();
    const response = await chat(app, ask({ variables: { product: 'parcels' } }));
    await response.arrayBuffer();
    if (response.status !== 200) return `status ${response.status}`;
    return app.mock.state.requests.list()[0]?.prompt_text.split('\n')[0] ?? '';
  };

  beforeAll(async () => {
    startTelemetry({ serviceName: 'template-stage-test', exporter });
    a = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
    b = await startOrchestratorTestApp({ INTERNAL_TOKEN, QUEUE_PREFIX: a.queuePrefix }, {}, { http: true });
    owner = await createOwner(a.prisma);
    admin = a.app.get(PromptStore);
    const redis = a.app.get<Redis>(REDIS_CONNECTION);
    await waitFor(() => redis.pubsub('NUMSUB', promptChannel(a.queuePrefix)) as Promise<[string, number]>, { what: 'both orchestrators to subscribe', until: ([, n]) => n >= 2 });
    await admin.createTemplate(owner.tenantId, { name }, null);
    const version = (content: string, extra: Record<string, unknown> = {}) =>
      promptVersionInputSchema.parse({
        messages: [{ role: 'system', content }],
        variables: { type: 'object', required: ['product'], properties: { product: { type: 'string' }, tone: { type: 'string' } } },
        ...extra,
      });
    await admin.createVersion(owner.tenantId, name, version('v1: you support {{product}}.', { params: { max_tokens: 5 } }), null);
    await admin.createVersion(owner.tenantId, name, version('v2: you support {{product}}, {{tone}}.'), null);
    await admin.setLabel(owner.tenantId, name, 'production', 1, null);
  }, 60_000);

  afterAll(async () => {
    await removeOwners(a.prisma, [owner]);
    await b?.close();
    await a?.close();
    await shutdownTelemetry();
  });

  it('puts the rendered messages before the client messages and records the version on messages, usage event and span', async () => {
    a.mock.state.requests.clear();
    exporter.reset();
    const response = await chat(a, ask({ variables: { product: 'parcels' } }));
    const sessionId = response.headers.get('x-conduit-session-id') as string;
    const { body, text } = await promptTextOf(a, response);
    expect(text.split('\n')).toEqual(['v1: you support parcels.', 'Where is my parcel?']);

    const rows = await waitFor(() => a.prisma.message.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } }), { what: 'the stored turn', until: (found) => found.length === 2 });
    expect(rows.map((m) => [m.role, m.promptName, m.promptVersion])).toEqual([
      ['user', name, 1],
      ['assistant', name, 1],
    ]);
    const events = await waitFor(
      async () =>
        (await a.producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed']))
          .filter((job) => job?.name === JobName.UsageRecord && (job.data as UsageEvent).tenant_id === owner.tenantId)
          .map((job) => job.data as UsageEvent),
      { what: 'the usage event', until: (found) => found.length > 0 },
    );
    expect(events.find((e) => e.request_id !== null)).toMatchObject({ prompt_name: name, prompt_version: 1 });
    const span = await waitFor(() => exporter.getFinishedSpans().find((s) => s.name === 'pipeline template'), { what: 'the template stage span', until: (s) => s !== undefined });
    expect(span?.attributes).toMatchObject({ [PROMPT_NAME_ATTRIBUTE]: name, [PROMPT_VERSION_ATTRIBUTE]: 1 });
    expect(body.id).toMatch(/^chatcmpl-/);
  });

  it("applies the version's defaults unless the request gives its own", async () => {
    a.mock.state.requests.clear();
    const short = (await (await chat(a, ask({ version: 1, variables: { product: 'x' } }))).json()) as { usage: { completion_tokens: number } };
    const long = (await (await chat(a, ask({ version: 1, variables: { product: 'x' } }, { max_tokens: 50 }))).json()) as { usage: { completion_tokens: number } };
    expect(short.usage.completion_tokens).toBeLessThanOrEqual(5);
    expect(long.usage.completion_tokens).toBeGreaterThan(5);
  });

  it.each([
    ['missing', {}, 'conduit.prompt.variables.product'],
    ['mistyped', { product: 42 }, 'conduit.prompt.variables.product'],
  ])('answers a %s variable with 400 invalid_prompt_variables naming it, and calls no model', async (_case, variables, param) => {
    a.mock.state.requests.clear();
    const response = await chat(a, ask({ variables }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'invalid_prompt_variables', param });
    expect(a.mock.state.requests.list()).toHaveLength(0);
  });

  it('answers 404 for an unknown template, label or version', async () => {
    const codeOf = async (prompt: Record<string, unknown>) => {
      const response = await chat(a, { messages: [{ role: 'user', content: 'hi' }], conduit: { prompt: { variables: { product: 'x' }, ...prompt } } });
      return [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    };
    expect(await codeOf({ name: 'no-such-template' })).toEqual([404, 'prompt_template_not_found']);
    expect(await codeOf({ name, label: 'canary' })).toEqual([404, 'prompt_label_not_found']);
    expect(await codeOf({ name, version: 99 })).toEqual([404, 'prompt_version_not_found']);
  });

  it('takes a label move and a one-call rollback on both processes, long before their caches expire', async () => {
    /** Moves production to `version` and waits (≥10 s deadline) until both orchestrators serve `line`; the time it took. */
    const moveAndWait = async (version: number, line: string) => {
      const started = Date.now();
      await admin.setLabel(owner.tenantId, name, 'production', version, null);
      await waitFor(async () => [await servedBy(a), await servedBy(b)], { what: `both orchestrators to serve version ${version}`, until: (served) => served.every((l) => l === line), timeoutMs: 10_000 });
      return Date.now() - started;
    };
    expect([await servedBy(a), await servedBy(b)]).toEqual(['v1: you support parcels.', 'v1: you support parcels.']);
    const movedMs = await moveAndWait(2, 'v2: you support parcels, .');
    const rolledBackMs = await moveAndWait(1, 'v1: you support parcels.');
    console.log(`label move served by both orchestrators after ${movedMs} ms, rollback after ${rolledBackMs} ms (cache TTL 60 s)`);
  });

  it('runs an async job with the version recorded at submit, whatever the label says when it runs', async () => {
    // The gateway pins `conduit.prompt` to the label's version at submit (`version: 1` here).
    const job: Job = await createJobRow(a.prisma, owner, { input: { model: 'default', ...ask({ version: 1, variables: { product: 'jobs' } }) } as object });
    await admin.setLabel(owner.tenantId, name, 'production', 2, null);
    try {
      a.mock.state.requests.clear();
      await a.app.get(JobLifecycle).enqueue(job, { retryDelayMs: 50 });
      const done = await waitFor(() => a.prisma.job.findUniqueOrThrow({ where: { id: job.id } }), { what: 'the job to finish', until: (row) => row.status === 'succeeded' || row.status === 'failed', timeoutMs: 20_000 });
      expect(done.status).toBe('succeeded');
      const entry = [...a.mock.state.requests.list(), ...b.mock.state.requests.list()].find((e) => e.prompt_text.includes('jobs'));
      expect(entry?.prompt_text.split('\n')[0]).toBe('v1: you support jobs.');
      const rows = await waitFor(() => a.prisma.message.findMany({ where: { tenantId: owner.tenantId, role: 'assistant', promptVersion: 1, content: { not: '' } }, orderBy: { createdAt: 'desc' }, take: 1 }), { what: 'the job turn', until: (r) => r.length === 1 });
      expect(rows[0]?.promptName).toBe(name);
    } finally {
      await admin.setLabel(owner.tenantId, name, 'production', 1, null);
    }
  });

  it('keeps a session on the version it started with while an experiment runs', async () => {
    await admin.setExperiment(owner.tenantId, name, 'production', [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], null);
    try {
      const first = await chat(a, ask({ variables: { product: 'parcels' } }));
      await first.arrayBuffer();
      const sessionId = first.headers.get('x-conduit-session-id') as string;
      const started = await waitFor(() => a.prisma.message.findFirst({ where: { sessionId, role: 'assistant' } }), { what: 'the first turn', until: (m) => m !== null });
      // Whatever the weights say now, the session stays on its version.
      const other = started?.promptVersion === 1 ? 2 : 1;
      await admin.setExperiment(owner.tenantId, name, 'production', [{ version: other, weight: 100 }, { version: started?.promptVersion as number, weight: 0 }], null);
      a.mock.state.requests.clear();
      const next = await chat(a, { ...ask({ variables: { product: 'parcels' } }), conduit: { session_id: sessionId, prompt: { name, variables: { product: 'parcels' } } } });
      await next.arrayBuffer();
      expect(next.status).toBe(200);
      expect(a.mock.state.requests.list()[0]?.prompt_text.split('\n')[0]).toMatch(new RegExp(`^v${started?.promptVersion}:`));
    } finally {
      await admin.setLabel(owner.tenantId, name, 'production', 1, null);
    }
  });
});
