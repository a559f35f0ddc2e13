import { randomBytes } from 'node:crypto';
import { SecretKeyring } from '@conduit/config';
import { mintApiKey } from '@conduit/contracts';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { metricsRegistry, shutdownTelemetry, startTelemetry } from '@conduit/observability';
import { useTestDatabase, waitFor } from '@conduit/testing';
import { generateWebhookSecret, Resolver, WebhookTargetPolicy } from '@conduit/webhooks';
import { CALCULATOR_PARAMETERS, HttpToolServer, McpToolServer, SEND_EMAIL_PARAMETERS, startHttpToolServer, startMcpToolServer } from './testing';
import { ToolAllowListStore } from './allow-lists/tool-allow-list.store';
import { HttpToolStore, HttpToolInput } from './http/http-tool.store';
import { McpServerStore } from './mcp/mcp-server.store';
import { ToolErrorCode, ToolException } from './tool.exception';
import { ToolRegistry } from './tool.registry';
import type { ResolvedTool, ToolOutcome } from './tools.types';

/** `*.tools.test` resolves to loopback, where the test servers listen (a name that resolves to a private address). */
const resolver: Resolver = async (host) => {
  if (host.endsWith('.tools.test')) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};
/** What tests configure (like WEBHOOK_ALLOW_HTTP=true, WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32). */
const LOCAL: WebhookTargetPolicy = { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] };
/** Production rules, except plain http (so only the address decides). */
const STRICT: WebhookTargetPolicy = { allowHttp: true, allowedCidrs: [] };

const never = () => new AbortController().signal;
const callOptions = (extra: { maxResultBytes?: number; signal?: AbortSignal; callId?: string } = {}) => ({ signal: extra.signal ?? never(), maxResultBytes: extra.maxResultBytes ?? 16_384, callId: extra.callId });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ToolException)) throw new Error(`expected a ToolException, got ${String(error)}`);
  return error.code;
}

async function counter(source: string, outcome: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('conduit_tool_calls_total')?.get();
  return metric?.values.find((v) => v.labels['tool_source'] === source && v.labels['outcome'] === outcome)?.value ?? 0;
}

describe('ToolRegistry (HTTP tools and MCP servers) against real Postgres and the test tool servers', () => {
  const db = useTestDatabase('tools');
  const k1 = SecretKeyring.generateEntry('k1');
  const keyring = SecretKeyring.parse(k1);
  let tools: HttpToolStore;
  let servers: McpServerStore;
  let allowLists: ToolAllowListStore;
  let registry: ToolRegistry;
  let strict: ToolRegistry;
  let httpServer: HttpToolServer;
  let mcpServer: McpToolServer;
  const secret = generateWebhookSecret();
  const exporter = new InMemorySpanExporter();

  const register = (tenantId: string, overrides: Partial<HttpToolInput> & { name: string; url: string }) =>
    tools.create(tenantId, {
      description: 'test tool',
      method: 'POST',
      parameters: { type: 'object' },
      timeoutMs: 5_000,
      danger: 'dangerous',
      enabled: true,
      secret,
      ...overrides,
    });
  const resolveOne = async (tenantId: string, name: string): Promise<ResolvedTool> => (await registry.resolve(tenantId, null, [name]))[0];
  const newKey = async (tenantId: string, userId: string): Promise<string> => {
    const minted = mintApiKey();
    const key = await db.prisma.apiKey.create({ data: { tenantId, userId, name: 'k', prefix: minted.prefix, keyHash: minted.hash } });
    return key.id;
  };

  beforeAll(async () => {
    startTelemetry({ serviceName: 'tools-test', exporter });
    tools = new HttpToolStore(db.prisma, keyring);
    servers = new McpServerStore(db.prisma, keyring);
    allowLists = new ToolAllowListStore(db.prisma);
    registry = new ToolRegistry(tools, servers, allowLists, { policy: LOCAL, resolver });
    strict = new ToolRegistry(tools, servers, allowLists, { policy: STRICT, resolver });
    httpServer = await startHttpToolServer(secret);
    mcpServer = await startMcpToolServer(secret);
  });

  afterAll(async () => {
    await registry?.onModuleDestroy();
    await strict?.onModuleDestroy();
    await httpServer?.close();
    await mcpServer?.close();
    await shutdownTelemetry();
  });

  it('calls an HTTP tool with Standard Webhooks signature headers the tool server verifies; unsigned calls are refused by it', async () => {
    const { tenantId } = db.owner;
    await register(tenantId, { name: 'calculator', url: httpServer.urlOf('calculator'), parameters: CALCULATOR_PARAMETERS as unknown as Record<string, unknown>, danger: 'safe' });
    const tool = await resolveOne(tenantId, 'calculator');
    expect(tool).toMatchObject({ name: 'calculator', danger: 'safe', source: 'http', timeoutMs: 5_000 });
    const before = await counter('http', 'ok');

    const outcome = await registry.call(tenantId, tool, { op: 'mul', a: 6, b: 7 }, callOptions({ callId: 'call_1' }));

    expect(outcome).toMatchObject({ ok: true, truncated: false });
    expect(JSON.parse((outcome as { content: string }).content)).toEqual({ result: 42 });
    const received = httpServer.received.at(-1);
    expect(received).toMatchObject({ tool: 'calculator', rejected: null });
    expect(received?.headers).toMatchObject({ 'webhook-id': expect.any(String), 'webhook-timestamp': expect.stringMatching(/^\d+$/), 'webhook-signature': expect.stringMatching(/^v1,/) });
    expect(JSON.parse(received?.body ?? '{}')).toEqual({ tool: 'calculator', call_id: 'call_1', arguments: { op: 'mul', a: 6, b: 7 } });
    expect(await counter('http', 'ok')).toBe(before + 1);
    const span = await waitFor(() => exporter.getFinishedSpans().find((s) => s.name === 'execute_tool calculator'), {
      what: 'the execute_tool span to be exported',
      until: (found) => found !== undefined,
    });
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'calculator',
      'gen_ai.tool.call.id': 'call_1',
      'gen_ai.tool.type': 'function',
      'conduit.tool.source': 'http',
      'conduit.tool.result_truncated': false,
    });

    const unsigned = await fetch(httpServer.urlOf('calculator'), { method: 'POST', body: JSON.stringify({ arguments: { op: 'add', a: 1, b: 1 } }) });
    expect(unsigned.status).toBe(401);
    expect(httpServer.received.at(-1)?.rejected).toBe('missing_headers');
  });

  it('signs with the tool’s own secret: a tool server holding another secret refuses the call (http_error 401)', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'calculator', url: httpServer.urlOf('calculator'), secret: generateWebhookSecret() });
    const outcome = await registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'calculator'), { op: 'add', a: 1, b: 2 }, callOptions());
    expect(outcome).toMatchObject({ ok: false, error: 'http_error' });
    expect((outcome as { message: string }).message).toContain('401');
    expect(httpServer.received.at(-1)?.rejected).toBe('no_matching_signature');
  });

  it('refuses a private address at call time, also when a name resolves to one, and never reaches the server', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'by_ip', url: httpServer.urlOf('send_email'), parameters: SEND_EMAIL_PARAMETERS as unknown as Record<string, unknown> });
    await register(owner.tenantId, { name: 'by_name', url: httpServer.urlOf('send_email').replace('127.0.0.1', 'mail.tools.test'), parameters: SEND_EMAIL_PARAMETERS as unknown as Record<string, unknown> });
    const count = httpServer.received.length;
    const args = { to: 'a@example.com', subject: 's', body: 'b' };

    const byIp = await strict.call(owner.tenantId, await resolveOne(owner.tenantId, 'by_ip'), args, callOptions());
    const byName = await strict.call(owner.tenantId, await resolveOne(owner.tenantId, 'by_name'), args, callOptions());

    expect(byIp).toMatchObject({ ok: false, error: 'refused', message: expect.stringContaining('127.0.0.1') });
    expect(byName).toMatchObject({ ok: false, error: 'refused', message: expect.stringContaining('mail.tools.test resolves to 127.0.0.1') });
    expect(httpServer.received.length).toBe(count);
    // The same tools called where loopback is allowed reach the server: the guard, not the tool, refused.
    expect(await registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'by_name'), args, callOptions())).toMatchObject({ ok: true });
    expect(httpServer.emails.at(-1)).toMatchObject({ to: 'a@example.com' });
  });

  it('ends a call that outlives the tool’s timeout with outcome timeout, and closes the request', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'slow', url: httpServer.urlOf('slow'), timeoutMs: 300 });
    const outcome = await registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'slow'), {}, callOptions());
    expect(outcome).toMatchObject({ ok: false, error: 'timeout', message: 'the tool did not answer within 300 ms' });
    await waitFor(() => httpServer.openSlowRequests(), { what: 'the tool server to see the request closed', until: (open) => open === 0 });
  });

  it('ends a call whose caller leaves with outcome cancelled', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'slow', url: httpServer.urlOf('slow'), timeoutMs: 60_000 });
    const controller = new AbortController();
    const call = registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'slow'), {}, callOptions({ signal: controller.signal }));
    await waitFor(() => httpServer.openSlowRequests(), { what: 'the call to reach the tool server', until: (open) => open > 0 });
    controller.abort();
    expect(await call).toMatchObject({ ok: false, error: 'cancelled' });
    await waitFor(() => httpServer.openSlowRequests(), { what: 'the request to be closed', until: (open) => open === 0 });
  });

  it('cuts an oversized result at maxResultBytes on a character boundary and says so', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'large', url: httpServer.urlOf('large') });
    const outcome = (await registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'large'), { size: 200_000 }, callOptions({ maxResultBytes: 1_001 }))) as Extract<ToolOutcome, { ok: true }>;
    expect(outcome).toMatchObject({ ok: true, truncated: true });
    expect(Buffer.byteLength(outcome.content)).toBe(1_000);
    expect(outcome.content).toBe('é'.repeat(500));
    const small = await registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'large'), { size: 100 }, callOptions({ maxResultBytes: 1_000 }));
    expect(small).toMatchObject({ ok: true, truncated: false, content: 'é'.repeat(50) });
  });

  it('answers arguments that do not match the schema with invalid_arguments, without calling the tool', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'calculator', url: httpServer.urlOf('calculator'), parameters: CALCULATOR_PARAMETERS as unknown as Record<string, unknown> });
    const tool = await resolveOne(owner.tenantId, 'calculator');
    const count = httpServer.received.length;
    expect(await registry.call(owner.tenantId, tool, { op: 'pow', a: 1, b: 2 }, callOptions())).toMatchObject({ ok: false, error: 'invalid_arguments', message: expect.stringContaining('arguments.op') });
    expect(await registry.call(owner.tenantId, tool, '{"op": "add", "a": 1', callOptions())).toMatchObject({ ok: false, error: 'invalid_arguments', message: 'the arguments are not valid JSON' });
    expect(await registry.call(owner.tenantId, tool, '{"op": "add", "a": 1, "b": 2}', callOptions())).toMatchObject({ ok: true, content: '{"result":3}' });
    expect(httpServer.received.length).toBe(count + 1);
  });

  it('discovers an MCP server’s tools (signed requests), offers them as <server>__<tool> with their marks, and calls them', async () => {
    const owner = await db.newOwner();
    const { server } = await servers.create(owner.tenantId, { name: 'mail', description: '', url: mcpServer.url, timeoutMs: 5_000, enabled: true, secret });
    const refreshed = await registry.refresh(owner.tenantId, server.id);
    expect(refreshed.discoveredAt).toBeInstanceOf(Date);
    expect(refreshed.discoveryError).toBeNull();
    expect(mcpServer.rejected).toEqual([]);

    let offered = await registry.resolve(owner.tenantId, null, 'all');
    expect(offered.map((t) => [t.name, t.danger, t.source])).toEqual([
      ['mail__calculator', 'dangerous', 'mcp'],
      ['mail__send_email', 'dangerous', 'mcp'],
    ]);
    await servers.update(owner.tenantId, server.id, { toolDanger: { calculator: 'safe' } });
    offered = await registry.resolve(owner.tenantId, null, 'all');
    expect(offered.find((t) => t.name === 'mail__calculator')).toMatchObject({ danger: 'safe', parameters: expect.objectContaining({ type: 'object' }) });

    const calculator = offered.find((t) => t.name === 'mail__calculator') as ResolvedTool;
    const sum = await registry.call(owner.tenantId, calculator, { op: 'add', a: 2, b: 3 }, callOptions());
    expect(sum).toMatchObject({ ok: true, content: '{"result":5}' });
    const email = await registry.call(owner.tenantId, offered.find((t) => t.name === 'mail__send_email') as ResolvedTool, { to: 'x@example.com', subject: 'hi', body: 'there' }, callOptions());
    expect(email).toMatchObject({ ok: true, content: 'sent to x@example.com' });
    expect(mcpServer.emails.at(-1)).toMatchObject({ to: 'x@example.com', subject: 'hi' });
    expect(await registry.call(owner.tenantId, calculator, { op: 'add' }, callOptions())).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(mcpServer.rejected).toEqual([]);

    // A server holding another secret refuses Conduit: discovery fails and says why, the cached tools stay.
    mcpServer.secret = generateWebhookSecret();
    try {
      expect(await codeOf(registry.refresh(owner.tenantId, server.id))).toBe(ToolErrorCode.McpDiscoveryFailed);
      expect(mcpServer.rejected.length).toBeGreaterThan(0);
      const after = await servers.get(owner.tenantId, server.id);
      expect(after?.discoveryError).toEqual(expect.stringContaining('signature refused'));
      expect((await registry.resolve(owner.tenantId, null, 'all')).length).toBe(2);
    } finally {
      mcpServer.secret = secret;
    }
  });

  it('refuses an MCP server on a private address at discovery and at call time', async () => {
    const owner = await db.newOwner();
    const { server } = await servers.create(owner.tenantId, { name: 'local', description: '', url: mcpServer.url, timeoutMs: 5_000, enabled: true, secret });
    expect(await codeOf(strict.refresh(owner.tenantId, server.id))).toBe(ToolErrorCode.ToolUrlRefused);
    await registry.refresh(owner.tenantId, server.id);
    const calls = mcpServer.calls.length;
    const tool = (await strict.resolve(owner.tenantId, null, ['local__calculator']))[0];
    expect(await strict.call(owner.tenantId, tool, { op: 'add', a: 1, b: 1 }, callOptions())).toMatchObject({ ok: false, error: 'refused' });
    expect(mcpServer.calls.length).toBe(calls);
  });

  it('narrows resolve to the API key’s allow-list; no list means every tool; names are checked', async () => {
    const owner = await db.newOwner();
    await register(owner.tenantId, { name: 'calculator', url: httpServer.urlOf('calculator'), danger: 'safe' });
    await register(owner.tenantId, { name: 'send_email', url: httpServer.urlOf('send_email') });
    await register(owner.tenantId, { name: 'disabled_one', url: httpServer.urlOf('calculator'), enabled: false });
    const narrowKey = await newKey(owner.tenantId, owner.userId);
    const openKey = await newKey(owner.tenantId, owner.userId);
    await allowLists.set(owner.tenantId, narrowKey, ['calculator']);

    expect((await registry.resolve(owner.tenantId, openKey, 'all')).map((t) => t.name)).toEqual(['calculator', 'send_email']);
    expect((await registry.resolve(owner.tenantId, null, 'all')).map((t) => t.name)).toEqual(['calculator', 'send_email']);
    expect((await registry.resolve(owner.tenantId, narrowKey, 'all')).map((t) => t.name)).toEqual(['calculator']);
    expect((await registry.resolve(owner.tenantId, narrowKey, ['calculator'])).map((t) => t.name)).toEqual(['calculator']);
    expect(await codeOf(registry.resolve(owner.tenantId, narrowKey, ['send_email']))).toBe(ToolErrorCode.ToolNotAllowed);
    expect(await codeOf(registry.resolve(owner.tenantId, openKey, ['nope']))).toBe(ToolErrorCode.UnknownTool);
    expect(await codeOf(registry.resolve(owner.tenantId, openKey, ['disabled_one']))).toBe(ToolErrorCode.UnknownTool);

    await allowLists.set(owner.tenantId, narrowKey, []);
    expect(await registry.resolve(owner.tenantId, narrowKey, 'all')).toEqual([]);
    await allowLists.remove(owner.tenantId, narrowKey);
    expect((await registry.resolve(owner.tenantId, narrowKey, 'all')).map((t) => t.name)).toEqual(['calculator', 'send_email']);
  });

  it('keeps tenants apart: another tenant neither sees nor calls a tenant’s tools, nor sets a list on its keys', async () => {
    const a = await db.newOwner();
    const b = await db.newOwner();
    await register(a.tenantId, { name: 'send_email', url: httpServer.urlOf('send_email'), parameters: SEND_EMAIL_PARAMETERS as unknown as Record<string, unknown> });
    const toolOfA = await resolveOne(a.tenantId, 'send_email');
    expect(await registry.resolve(b.tenantId, null, 'all')).toEqual([]);
    expect(await codeOf(registry.resolve(b.tenantId, null, ['send_email']))).toBe(ToolErrorCode.UnknownTool);
    const emails = httpServer.emails.length;
    expect(await registry.call(b.tenantId, toolOfA, { to: 'b@example.com', subject: 's', body: 'b' }, callOptions())).toMatchObject({ ok: false, error: 'unavailable' });
    expect(httpServer.emails.length).toBe(emails);
    expect(await tools.get(b.tenantId, toolOfA.id)).toBeNull();
    expect(await codeOf(allowLists.set(b.tenantId, await newKey(a.tenantId, a.userId), []))).toBe(ToolErrorCode.ApiKeyNotFound);
  });

  it('stores secrets and bearer tokens sealed: the raw row holds neither', async () => {
    const owner = await db.newOwner();
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const { tool } = await register(owner.tenantId, { name: 'calculator', url: httpServer.urlOf('calculator'), authToken: token });
    const { server } = await servers.create(owner.tenantId, { name: 'm', description: '', url: mcpServer.url, timeoutMs: 5_000, enabled: true, secret, authToken: token });
    const { rows } = await db.prisma.pg.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM tools t WHERE id = $1::uuid UNION ALL SELECT row_to_json(m)::text FROM mcp_servers m WHERE id = $2::uuid`,
      [tool.id, server.id],
    );
    const raw = rows.map((r) => r.row).join('\n');
    expect(rows).toHaveLength(2);
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(secret.slice('whsec_'.length));
    expect(raw).not.toContain(token);
    expect(tools.secrets(tool)).toEqual({ signingSecret: secret, authToken: token });
    // The bearer token is sent (and the signature still verifies).
    await registry.call(owner.tenantId, await resolveOne(owner.tenantId, 'calculator'), { op: 'add', a: 1, b: 1 }, callOptions());
    expect(httpServer.received.at(-1)).toMatchObject({ rejected: null, headers: expect.objectContaining({ authorization: `Bearer ${token}` }) });
  });

  it('re-encrypts sealed secrets under a new key first in the keyring (KEK rotation); the old key can then go', async () => {
    const owner = await db.newOwner();
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const { tool } = await register(owner.tenantId, { name: 'calculator', url: httpServer.urlOf('calculator'), authToken: token });
    const { server } = await servers.create(owner.tenantId, { name: 'm', description: '', url: mcpServer.url, timeoutMs: 5_000, enabled: true, secret });
    const k2 = SecretKeyring.generateEntry('k2');
    const rotated = SecretKeyring.parse(`${k2},${k1}`);
    expect(await new HttpToolStore(db.prisma, rotated).resealAll({ tenantId: owner.tenantId })).toBe(1);
    expect(await new McpServerStore(db.prisma, rotated).resealAll({ tenantId: owner.tenantId })).toBe(1);
    expect(await new HttpToolStore(db.prisma, rotated).resealAll({ tenantId: owner.tenantId })).toBe(0);

    const onlyNew = SecretKeyring.parse(k2);
    const row = await db.prisma.tool.findUniqueOrThrow({ where: { id: tool.id } });
    expect({ secret: row.secretKeyId, token: row.authTokenKeyId }).toEqual({ secret: 'k2', token: 'k2' });
    expect(new HttpToolStore(db.prisma, onlyNew).secrets(row)).toEqual({ signingSecret: secret, authToken: token });
    const serverRow = await db.prisma.mcpServer.findUniqueOrThrow({ where: { id: server.id } });
    expect(new McpServerStore(db.prisma, onlyNew).secrets(serverRow)).toEqual({ signingSecret: secret, authToken: null });
  });
});
