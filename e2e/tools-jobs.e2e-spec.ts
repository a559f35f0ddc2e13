import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { HttpToolServer, SEND_EMAIL_PARAMETERS, startHttpToolServer } from '@conduit/tools/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver';

const llmConfigFile = join(tmpdir(), `conduit-e2e-tools-jobs-llm-${process.pid}.json`);
writeFileSync(llmConfigFile, JSON.stringify({ routes: { tools: [{ provider: 'openai', model: 'gpt-4.1-mini' }] } }));
const LOOPBACK = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };

interface JobObject {
  id: string;
  status: string;
  result: (OpenAI.Chat.Completions.ChatCompletion & { conduit?: { confirmation_id?: string } }) | null;
  finished_at: number | null;
  required_action: { type: string; confirmation_id: string; pending_tool_calls: { id: string; function: { name: string } }[]; expires_at: string | null } | null;
}

interface JobEvent {
  type: string;
  data: JobObject;
}

describe('async job with a dangerous tool: requires_action, its webhook, resumed by the confirmation', () => {
  let platform: ChatPlatform;
  let receiver: WebhookReceiver;
  let tools: HttpToolServer;
  let alice: TenantWithUser;
  let other: TenantWithUser;

  const api = async <T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}) => {
    const response = await fetch(`${platform.gateway.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.key ?? alice.apiKey}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const events = (path: string): JobEvent[] => receiver.on(path).map((hit: ReceivedWebhook) => JSON.parse(hit.body) as JobEvent);

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    tools = await startHttpToolServer(secret);
    platform = await startChatPlatform(
      { ...LOOPBACK, LLM_CONFIG_FILE: llmConfigFile, JOBS_RECONCILE_INTERVAL_MS: '5000', JOBS_RECONCILE_GRACE_MS: '120000' },
      { gatewayEnv: LOOPBACK, billingEnv: { ...LOOPBACK, WEBHOOK_RETRY_BASE_MS: '300', WEBHOOK_TIMEOUT_MS: '2000' } },
    );
    alice = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    other = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    const registered = await api('/v1/tools', { method: 'POST', body: { name: 'send_email', url: tools.urlOf('send_email'), parameters: SEND_EMAIL_PARAMETERS, danger: 'dangerous', secret } });
    expect(registered.status).toBe(201);
  });

  afterAll(async () => {
    await tools?.close();
    await receiver?.stop();
    if (!platform) return;
    await removeTenants(platform.prisma, [alice, other].filter(Boolean).map((t) => t.tenant));
    await platform.stop();
  });

  it('pauses in requires_action with a job.requires_action webhook; approving sends the email once and the job succeeds with job.succeeded', async () => {
    const before = tools.emails.length;
    const path = `/job-${randomUUID()}`;
    const url = receiver.script(path, [200]);
    const submitted = await api<JobObject>('/v1/jobs', {
      method: 'POST',
      body: {
        type: 'chat.completion',
        webhook_url: url,
        input: { model: 'tools', messages: [{ role: 'user', content: 'Mail it [[tool:send_email {"to":"boss@example.test","subject":"Report","body":"Attached"}]]' }], conduit: { tools: ['send_email'] } },
      },
    });
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.id;

    const paused = await waitFor(async () => (await api<JobObject>(`/v1/jobs/${jobId}`)).body, { what: 'the job to require action', until: (job) => job.status !== 'queued' && job.status !== 'running' });
    expect(paused.status).toBe('requires_action');
    expect(paused.finished_at).toBeNull();
    expect(paused.required_action).toMatchObject({ type: 'tool_confirmation' });
    expect(paused.required_action?.pending_tool_calls[0]?.function.name).toBe('send_email');
    expect(paused.required_action?.expires_at).toEqual(expect.any(String));
    const confirmationId = paused.required_action?.confirmation_id as string;
    expect(tools.emails.length).toBe(before);

    const [pauseEvent] = (await waitFor(async () => events(path), { what: 'the job.requires_action webhook', until: (hits) => hits.length >= 1 })) as JobEvent[];
    expect(pauseEvent?.type).toBe('job.requires_action');
    expect(pauseEvent?.data).toMatchObject({ id: jobId, status: 'requires_action', required_action: { confirmation_id: confirmationId } });

    // Another tenant can neither see the job nor confirm for it.
    expect((await api(`/v1/jobs/${jobId}`, { key: other.apiKey })).status).toBe(404);
    expect((await api(`/v1/tool-confirmations/${confirmationId}`, { method: 'POST', key: other.apiKey, body: { decision: 'approve' } })).status).toBe(404);

    // Two racing approvals: one resumes the job (and answers the resumed run), the other is 409.
    const [a, b] = await Promise.all([
      api<OpenAI.Chat.Completions.ChatCompletion>(`/v1/tool-confirmations/${confirmationId}`, { method: 'POST', body: { decision: 'approve' } }),
      api<OpenAI.Chat.Completions.ChatCompletion>(`/v1/tool-confirmations/${confirmationId}`, { method: 'POST', body: { decision: 'approve' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const answer = (a.status === 200 ? a : b).body;
    expect(answer.choices[0]?.message.content).toContain('sent');

    const done = (await api<JobObject>(`/v1/jobs/${jobId}`)).body;
    expect(done.status).toBe('succeeded');
    expect(done.required_action).toBeNull();
    expect(done.finished_at).toEqual(expect.any(Number));
    expect(done.result?.choices[0]?.finish_reason).toBe('stop');
    expect(done.result?.choices[0]?.message.content).toBe(answer.choices[0]?.message.content);
    expect(tools.emails.length).toBe(before + 1);
    expect(tools.emails.at(-1)).toMatchObject({ to: 'boss@example.test' });

    const all = await waitFor(async () => events(path), { what: 'the job.succeeded webhook', until: (hits) => hits.some((hit) => hit.type === 'job.succeeded') });
    expect(all.map((event) => event.type).sort()).toEqual(['job.requires_action', 'job.succeeded']);
    expect(all.find((event) => event.type === 'job.succeeded')?.data).toMatchObject({ id: jobId, status: 'succeeded' });
    expect(tools.emails.length).toBe(before + 1);
  });

  it('a job cancelled while it waits is not resumed: approving is 409 tool_confirmation_job_finished and sends nothing', async () => {
    const before = tools.emails.length;
    const submitted = await api<JobObject>('/v1/jobs', {
      method: 'POST',
      body: { type: 'chat.completion', input: { model: 'tools', messages: [{ role: 'user', content: 'Mail [[tool:send_email {"to":"x@example.test","subject":"S","body":"B"}]]' }], conduit: { tools: 'all' } } },
    });
    expect(submitted.status).toBe(202);
    const paused = await waitFor(async () => (await api<JobObject>(`/v1/jobs/${submitted.body.id}`)).body, { what: 'the job to require action', until: (job) => job.status === 'requires_action' });
    const cancelled = await api<JobObject>(`/v1/jobs/${submitted.body.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const approved = await api<{ error: { code: string } }>(`/v1/tool-confirmations/${paused.required_action?.confirmation_id}`, { method: 'POST', body: { decision: 'approve' } });
    expect(approved.status).toBe(409);
    expect(approved.body.error.code).toBe('tool_confirmation_job_finished');
    expect((await api<JobObject>(`/v1/jobs/${submitted.body.id}`)).body.status).toBe('cancelled');
    expect(tools.emails.length).toBe(before);
  });
});
