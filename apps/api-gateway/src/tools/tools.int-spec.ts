import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from '@conduit/db';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser } from '@conduit/testing';
import { ToolRegistry } from '@conduit/tools';
import { CALCULATOR_PARAMETERS, McpToolServer, startMcpToolServer } from '@conduit/tools/testing';
import { Resolver } from '@conduit/webhooks';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import type { ListPage } from '../sessions/list-page';
import type { McpServerObject, ToolAllowListObject, ToolObject } from './tools.dto';
import { ToolsApiModule } from './tools.module';

/** `*.example.com` is public; `internal.evil.test` resolves to a private address; `*.tools.test` to loopback (the test MCP server). */
const resolver: Resolver = async (host) => {
  if (host.endsWith('.example.com')) return [{ address: '93.184.216.34', family: 4 }];
  if (host === 'internal.evil.test') return [{ address: '10.0.0.8', family: 4 }];
  if (host.endsWith('.tools.test')) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

describe('tool registry API (/v1/tools, /v1/mcp-servers, /v1/tool-allow-lists)', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let admin: TenantWithUser;
  let mcp: McpToolServer;
  const tenants: { id: string }[] = [];

  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  const call = (method: Method, url: string, auth: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: auth }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const newAdmin = async () => {
    const owner = await createTenantWithUser(prisma, { role: 'tenant_admin' });
    tenants.push(owner.tenant);
    return owner;
  };
  const createTool = async (auth: string, body: Record<string, unknown> = {}) => {
    const res = await call('POST', '/v1/tools', auth, { name: `t_${randomBytes(3).toString('hex')}`, url: 'https://tools.example.com/calc', ...body });
    expect(res.statusCode).toBe(201);
    return res.json<ToolObject & { secret: string }>();
  };
  const keyIdOf = async (userId: string) => (await prisma.apiKey.findFirstOrThrow({ where: { userId } })).id;

  beforeAll(async () => {
    // As configured in tests: WEBHOOK_ALLOW_HTTP=true, WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32 (the test MCP server listens on loopback).
    app = await createGatewayTestApp([ToolsApiModule.register({ policy: { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] }, resolver })]);
    prisma = app.get(PrismaService);
    admin = await newAdmin();
    mcp = await startMcpToolServer();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await mcp?.close();
    await app?.close();
  });

  it('registers, lists, changes and deletes an HTTP tool; the secret is shown once and stored sealed', async () => {
    const owner = await newAdmin();
    const created = await createTool(owner.authHeader, { name: 'calculator', description: 'math', parameters: CALCULATOR_PARAMETERS, danger: 'safe', auth_token: 'bearer-secret-123' });
    expect(created).toMatchObject({ object: 'tool', name: 'calculator', method: 'POST', danger: 'safe', enabled: true, timeout_ms: 10_000, has_auth_token: true, parameters: CALCULATOR_PARAMETERS });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(created).not.toHaveProperty('auth_token');

    const fetched = (await call('GET', `/v1/tools/${created.id}`, owner.authHeader)).json<ToolObject>();
    expect(fetched).not.toHaveProperty('secret');
    const list = (await call('GET', '/v1/tools', owner.authHeader)).json<ListPage<ToolObject>>();
    expect(list.data.map((t) => t.id)).toEqual([created.id]);
    expect(JSON.stringify(list)).not.toContain(created.secret);

    const { rows } = await prisma.pg.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM tools t WHERE id = $1::uuid`, [created.id]);
    expect(rows[0].row).not.toContain(created.secret.slice('whsec_'.length));
    expect(rows[0].row).not.toContain('bearer-secret-123');

    const patched = await call('PATCH', `/v1/tools/${created.id}`, owner.authHeader, { danger: 'dangerous', enabled: false, timeout_ms: 500, auth_token: null });
    expect(patched.json()).toMatchObject({ danger: 'dangerous', enabled: false, timeout_ms: 500, has_auth_token: false });
    expect(patched.json()).not.toHaveProperty('secret');

    expect((await call('DELETE', `/v1/tools/${created.id}`, owner.authHeader)).json()).toEqual({ id: created.id, object: 'tool.deleted', deleted: true });
    expectApiError(await call('GET', `/v1/tools/${created.id}`, owner.authHeader), 404, 'tool_not_found', 'id');
  });

  it('refuses private, metadata and non-https URLs at registration and on change with 400 tool_url_refused', async () => {
    const owner = await newAdmin();
    const strictApp = await createGatewayTestApp([ToolsApiModule.register({ policy: { allowHttp: false, allowedCidrs: [] }, resolver })]);
    try {
      for (const url of ['https://10.1.2.3/x', 'https://internal.evil.test/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://169.254.169.254/latest', 'http://tools.example.com/x', 'https://user:pw@tools.example.com/x']) {
        const res = await strictApp.inject({ method: 'POST', url: '/v1/tools', headers: { authorization: owner.authHeader }, payload: { name: 'x', url } });
        expectApiError(res, 400, 'tool_url_refused', 'url');
        const server = await strictApp.inject({ method: 'POST', url: '/v1/mcp-servers', headers: { authorization: owner.authHeader }, payload: { name: 'x', url } });
        expectApiError(server, 400, 'tool_url_refused', 'url');
      }
      const created = await strictApp.inject({ method: 'POST', url: '/v1/tools', headers: { authorization: owner.authHeader }, payload: { name: 'ok', url: 'https://tools.example.com/x' } });
      expect(created.statusCode).toBe(201);
      const moved = await strictApp.inject({ method: 'PATCH', url: `/v1/tools/${created.json<ToolObject>().id}`, headers: { authorization: owner.authHeader }, payload: { url: 'https://internal.evil.test/x' } });
      expectApiError(moved, 400, 'tool_url_refused', 'url');
    } finally {
      await strictApp.close();
    }
    expect(await prisma.tool.count({ where: { tenantId: owner.tenant.id } })).toBe(1);
  });

  it('answers bad input with 400 and stable codes', async () => {
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'a__b', url: 'https://tools.example.com/x' }), 400, 'invalid_tool_name', 'name');
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'bad name', url: 'https://tools.example.com/x' }), 400, 'invalid_tool_name', 'name');
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'x', url: 'https://tools.example.com/x', parameters: { type: 'string' } }), 400, 'invalid_tool_schema', 'parameters');
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'x', url: 'https://tools.example.com/x', parameters: { type: 'object', properties: 3 } }), 400, 'invalid_tool_schema', 'parameters');
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'x', url: 'https://tools.example.com/x', secret: 'not-a-secret' }), 400, 'invalid_tool_secret', 'secret');
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'x', url: 'https://tools.example.com/x', timeout_ms: 1 }), 400, 'invalid_request');
    expectApiError(await call('POST', '/v1/mcp-servers', admin.authHeader, { name: 'has_underscore', url: 'https://tools.example.com/mcp' }), 400, 'invalid_tool_name', 'name');
    const tool = await createTool(admin.authHeader, { name: 'dup' });
    expectApiError(await call('POST', '/v1/tools', admin.authHeader, { name: 'dup', url: 'https://tools.example.com/x' }), 409, 'tool_exists', 'name');
    expectApiError(await call('PATCH', `/v1/tools/${tool.id}`, admin.authHeader, {}), 400, 'invalid_request');
  });

  it('lets only tenant admins in (a member gets 403 everywhere) and answers 404 for another tenant’s tools, servers and keys', async () => {
    const tool = await createTool(admin.authHeader);
    const server = (await call('POST', '/v1/mcp-servers', admin.authHeader, { name: 'gone', url: 'https://mcp.example.com/mcp', enabled: false })).json<McpServerObject>();
    const adminKey = await keyIdOf(admin.user.id);
    const member = await createUserWithKey(prisma, admin.tenant);
    const other = await newAdmin();

    const memberRoutes: [Method, string, unknown?][] = [
      ['POST', '/v1/tools', { name: 'm', url: 'https://tools.example.com/x' }],
      ['GET', '/v1/tools'],
      ['GET', `/v1/tools/${tool.id}`],
      ['POST', '/v1/mcp-servers', { name: 'm', url: 'https://tools.example.com/x' }],
      ['GET', '/v1/mcp-servers'],
      ['GET', '/v1/tool-allow-lists'],
      ['PUT', `/v1/tool-allow-lists/${adminKey}`, { tools: [] }],
    ];
    for (const [method, url, body] of memberRoutes) expectApiError(await call(method, url, member.authHeader, body), 403, 'tenant_admin_required');

    const foreign: [Method, string, string, string, unknown?][] = [
      ['GET', `/v1/tools/${tool.id}`, 'tool_not_found', 'id'],
      ['PATCH', `/v1/tools/${tool.id}`, 'tool_not_found', 'id', { description: 'mine' }],
      ['DELETE', `/v1/tools/${tool.id}`, 'tool_not_found', 'id'],
      ['GET', `/v1/mcp-servers/${server.id}`, 'mcp_server_not_found', 'id'],
      ['PATCH', `/v1/mcp-servers/${server.id}`, 'mcp_server_not_found', 'id', { description: 'mine' }],
      ['DELETE', `/v1/mcp-servers/${server.id}`, 'mcp_server_not_found', 'id'],
      ['POST', `/v1/mcp-servers/${server.id}/refresh`, 'mcp_server_not_found', 'id', {}],
      ['GET', `/v1/tool-allow-lists/${adminKey}`, 'tool_allow_list_key_not_found', 'api_key_id'],
      ['PUT', `/v1/tool-allow-lists/${adminKey}`, 'tool_allow_list_key_not_found', 'api_key_id', { tools: [] }],
      ['DELETE', `/v1/tool-allow-lists/${adminKey}`, 'tool_allow_list_key_not_found', 'api_key_id'],
      ['GET', '/v1/tools/not-a-uuid', 'tool_not_found', 'id'],
    ];
    for (const [method, url, code, param, body] of foreign) expectApiError(await call(method, url, other.authHeader, body), 404, code, param);
    expect((await call('GET', '/v1/tools', other.authHeader)).json<ListPage<ToolObject>>().data).toEqual([]);
    expect((await call('GET', '/v1/mcp-servers', other.authHeader)).json<ListPage<McpServerObject>>().data).toEqual([]);
    expect((await call('GET', `/v1/tools/${tool.id}`, admin.authHeader)).statusCode).toBe(200);
  });

  it('registers an MCP server, discovers its tools, marks one safe, refreshes, and narrows a key to it', async () => {
    const owner = await newAdmin();
    const url = mcp.url.replace('127.0.0.1', 'mcp.tools.test');
    const res = await call('POST', '/v1/mcp-servers', owner.authHeader, { name: 'mail', url, description: 'test server' });
    expect(res.statusCode).toBe(201);
    const created = res.json<McpServerObject & { secret: string }>();
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ object: 'mcp_server', name: 'mail', discovery_error: null, discovered_at: expect.any(Number) });
    expect(created.tools.map((t) => [t.name, t.model_name, t.danger])).toEqual([
      ['calculator', 'mail__calculator', 'dangerous'],
      ['send_email', 'mail__send_email', 'dangerous'],
    ]);

    const marked = await call('PATCH', `/v1/mcp-servers/${created.id}`, owner.authHeader, { tools: { calculator: { danger: 'safe' } } });
    expect(marked.json<McpServerObject>().tools.map((t) => t.danger)).toEqual(['safe', 'dangerous']);
    expect(marked.json()).not.toHaveProperty('secret');
    expectApiError(await call('PATCH', `/v1/mcp-servers/${created.id}`, owner.authHeader, { tools: { nope: { danger: 'safe' } } }), 400, 'unknown_tool');

    const refreshed = await call('POST', `/v1/mcp-servers/${created.id}/refresh`, owner.authHeader, {});
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json<McpServerObject>().tools.map((t) => t.danger)).toEqual(['safe', 'dangerous']);

    const keyId = await keyIdOf(owner.user.id);
    expect((await call('GET', `/v1/tool-allow-lists/${keyId}`, owner.authHeader)).json()).toEqual({ object: 'tool_allow_list', api_key_id: keyId, tools: null });
    expectApiError(await call('PUT', `/v1/tool-allow-lists/${keyId}`, owner.authHeader, { tools: ['mail__nope'] }), 400, 'unknown_tool');
    const set = await call('PUT', `/v1/tool-allow-lists/${keyId}`, owner.authHeader, { tools: ['mail__calculator'] });
    expect(set.json<ToolAllowListObject>()).toEqual({ object: 'tool_allow_list', api_key_id: keyId, tools: ['mail__calculator'] });
    const registry = app.get(ToolRegistry);
    expect((await registry.resolve(owner.tenant.id, keyId, 'all')).map((t) => [t.name, t.danger])).toEqual([['mail__calculator', 'safe']]);
    expect((await call('GET', '/v1/tool-allow-lists', owner.authHeader)).json<ListPage<ToolAllowListObject>>().data).toHaveLength(1);
    expect((await call('DELETE', `/v1/tool-allow-lists/${keyId}`, owner.authHeader)).json<ToolAllowListObject>().tools).toBeNull();
    expect(await registry.resolve(owner.tenant.id, keyId, 'all')).toHaveLength(2);

    expect((await call('DELETE', `/v1/mcp-servers/${created.id}`, owner.authHeader)).json()).toEqual({ id: created.id, object: 'mcp_server.deleted', deleted: true });
    expect(await registry.resolve(owner.tenant.id, keyId, 'all')).toEqual([]);
  });

  it('keeps a server whose discovery failed, with the reason; refresh answers 422 mcp_discovery_failed', async () => {
    const owner = await newAdmin();
    const res = await call('POST', '/v1/mcp-servers', owner.authHeader, { name: 'down', url: 'http://down.tools.test:9/mcp' });
    expect(res.statusCode).toBe(201);
    expect(res.json<McpServerObject>()).toMatchObject({ tools: [], discovered_at: null, discovery_error: expect.any(String) });
    expectApiError(await call('POST', `/v1/mcp-servers/${res.json<McpServerObject>().id}/refresh`, owner.authHeader, {}), 422, 'mcp_discovery_failed', 'url');
  });
});
