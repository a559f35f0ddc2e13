import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { Tier } from '@conduit/db';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { baseEnv, ROOT, RunningService, startReady } from './support/service-process';

/**
 * Evaluation end to end: chats through the gateway are sampled by the orchestrator, judged by the
 * eval worker (a real process, judges on mock-llm's judge mode), billed as `eval` by billing and
 * read back through `/v1/evaluations`; and the offline CLI gates a dataset against its baseline.
 */
describe('evaluation end to end', () => {
  let platform: ChatPlatform;
  let evalWorker: RunningService;
  let admin: TenantWithUser;

  const llmEnv = () => ({
    ANTHROPIC_API_KEY: 'mock-anthropic-key',
    ANTHROPIC_BASE_URL: platform.mock.url,
    OPENAI_API_KEY: 'mock-openai-key',
    OPENAI_BASE_URL: `${platform.mock.url}/v1`,
  });

  function setPolicy(tenant: TenantWithUser, document: unknown): void {
    const result = spawnSync('node', ['dist/apps/api-gateway/src/cli/admin.js', 'set-policy', '--tenant', tenant.tenant.slug, '--file', '-'], {
      cwd: ROOT,
      env: { ...baseEnv(), QUEUE_PREFIX: platform.queuePrefix },
      input: JSON.stringify(document),
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`set-policy failed: ${result.stderr}`);
  }

  beforeAll(async () => {
    platform = await startChatPlatform();
    evalWorker = await startReady('eval-worker', { QUEUE_PREFIX: platform.queuePrefix, ...llmEnv() });
    admin = await createTenantWithUser(platform.prisma, { tier: Tier.pro, role: 'tenant_admin' });
    setPolicy(admin, { eval: { sample_rate: 1 } });
  });

  afterAll(async () => {
    if (!platform) return;
    // The worker stops first: a judge still writing scores would race the tenant's deletion.
    await evalWorker?.stop('SIGTERM');
    if (admin) await removeTenants(platform.prisma, [admin.tenant]);
    await platform.stop();
  });

  it('judges a sampled turn in the background without changing the answer, bills the judge as eval, and shows the scores to the tenant admin', async () => {
    const client = new OpenAI({ apiKey: admin.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'Tell me about Paris [[score:helpfulness:2]]' }] })
      .withResponse();
    // The user receives the ordinary answer: evaluation never touches it.
    expect(completion.choices[0].message.content).toBe('Mock reply: Tell me about Paris [[score:helpfulness:2]]');
    const messageId = response.headers.get(ConduitHeader.MessageId) ?? '';
    const scores = await waitFor(() => platform.prisma.evalScore.findMany({ where: { messageId } }), {
      until: (rows) => rows.some((r) => r.rubric === 'helpfulness') && rows.some((r) => r.rubric === 'safety'),
      timeoutMs: 30_000,
      what: 'the eval worker to judge the sampled turn',
    });
    expect(scores.find((s) => s.rubric === 'helpfulness')).toMatchObject({ status: 'ok', score: 2, judgeModel: 'default', rubricVersion: 1, reason: 'sampled' });
    await waitFor(() => platform.prisma.usageEvent.count({ where: { tenantId: admin.tenant.id, feature: 'eval' } }), {
      until: (n) => n === 2,
      timeoutMs: 30_000,
      what: 'billing to record the two judge calls as eval usage',
    });
    const listed = await fetch(`${platform.gateway.url}/v1/evaluations/scores?message_id=${messageId}&rubric=helpfulness`, { headers: { authorization: `Bearer ${admin.apiKey}` } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { data: { score: number; judge_model: string }[] }).data).toEqual([expect.objectContaining({ score: 2, judge_model: 'default' })]);
  });

  it('offline CLI: exits 0 on the shipped baseline, non-zero on a deliberately worse version; --repeat runs every case N times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-eval-'));
    const baseline = join(dir, 'baseline.json');
    // Asynchronous: the mock upstream runs in this process and must keep answering meanwhile.
    const cli = (dataset: string, ...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('node', ['dist/apps/eval-worker/src/offline/eval.cli.js', '--dataset', dataset, '--repeat', '2', ...args], {
          cwd: ROOT,
          env: { ...baseEnv(), ...llmEnv(), CONDUIT_BASE_URL: platform.gateway.url, CONDUIT_API_KEY: admin.apiKey },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const shipped = join(ROOT, 'apps/eval-worker/evals/smoke.jsonl');
    const written = await cli(shipped, '--baseline', baseline, '--write-baseline');
    expect({ status: written.status, stderr: written.stderr }).toEqual({ status: 0, stderr: '' });
    expect(written.stdout).toMatch(/capital\s+2\s+2\s+1\.00/);
    // Against mock-llm the run is deterministic: it writes exactly the baseline the repository ships.
    const shippedBaseline = join(ROOT, 'apps/eval-worker/evals/smoke.baseline.json');
    expect(JSON.parse(readFileSync(baseline, 'utf8'))).toEqual(JSON.parse(readFileSync(shippedBaseline, 'utf8')));

    const same = await cli(shipped, '--baseline', shippedBaseline);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('gate: passed');

    // The same cases with prompts the judges score 1: a worse "template".
    const worse = join(dir, 'worse.jsonl');
    writeFileSync(
      worse,
      readFileSync(shipped, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.replace(/"role":"user","content":"/, '"role":"user","content":"[[score:1]] '))
        .join('\n'),
    );
    const failed = await cli(worse, '--baseline', shippedBaseline);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('gate: FAILED');
    expect(failed.stdout).toContain('rubric helpfulness: mean 1.00 < baseline 4.00');
  });
});
