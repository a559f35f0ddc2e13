/**
 * Every public route of the api-gateway, as the fuzz suite drives them (read from the controllers
 * in apps/api-gateway/src and the shared health/metrics/docs controllers). `fuzz.e2e-spec.ts`
 * checks that the OpenAPI document names no path missing here.
 */
/**
 * `admin`: driven mostly with the platform admin key. `management`: the admin API's write and read
 * routes, driven with every credential except the platform admin key (a user key gets 403, a
 * garbage one 401): random bodies under a platform key would create tenants and change the shared
 * price table that other suites read. Their bodies still reach the parsers and validation pipes.
 */
export type Auth = 'key' | 'admin' | 'management' | 'public';
export type BodyKind = 'none' | 'chat' | 'session' | 'feedback' | 'job' | 'rotate' | 'multipart' | 'collection' | 'endpoint' | 'endpoint-patch' | 'responses';
/** What a `:param` in the path names, so that generated ids can be the caller's own. */
export type IdKind = 'session' | 'message' | 'job' | 'delivery' | 'document' | 'endpoint' | 'collection' | 'asset' | 'response';

export interface GatewayRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path with `:name` parameters. */
  path: string;
  auth: Auth;
  body: BodyKind;
  /** Query parameters the route knows (unknown ones are generated too). */
  query: string[];
  ids?: Record<string, IdKind>;
}

const list = ['limit', 'after'];

export const GATEWAY_ROUTES: GatewayRoute[] = [
  { method: 'POST', path: '/v1/chat/completions', auth: 'key', body: 'chat', query: [] },
  { method: 'GET', path: '/v1/models', auth: 'key', body: 'none', query: [] },
  // Decisions on paused tool runs (random ids: 404; random bodies: the validation pipe).
  { method: 'POST', path: '/v1/tool-confirmations/:id', auth: 'key', body: 'session', query: [] },
  { method: 'POST', path: '/v1/embeddings', auth: 'key', body: 'session', query: [] },
  { method: 'POST', path: '/v1/sessions', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/sessions', auth: 'key', body: 'none', query: list },
  { method: 'GET', path: '/v1/sessions/:id', auth: 'key', body: 'none', query: [], ids: { id: 'session' } },
  { method: 'DELETE', path: '/v1/sessions/:id', auth: 'key', body: 'none', query: [], ids: { id: 'session' } },
  { method: 'GET', path: '/v1/sessions/:id/messages', auth: 'key', body: 'none', query: [...list, 'order'], ids: { id: 'session' } },
  { method: 'POST', path: '/v1/messages/:id/feedback', auth: 'key', body: 'feedback', query: [], ids: { id: 'message' } },
  { method: 'GET', path: '/v1/usage', auth: 'key', body: 'none', query: ['start', 'end', 'format'] },
  { method: 'GET', path: '/v1/budget', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/admin/usage', auth: 'admin', body: 'none', query: ['tenant_id', 'user_id', 'start', 'end', 'group_by', 'format'] },
  { method: 'POST', path: '/v1/admin/tenants', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/tenants', auth: 'management', body: 'none', query: list },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id', auth: 'management', body: 'none', query: [] },
  { method: 'PATCH', path: '/v1/admin/tenants/:tenant_id', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/suspend', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/resume', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/policy', auth: 'management', body: 'none', query: [] },
  { method: 'PUT', path: '/v1/admin/tenants/:tenant_id/policy', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/budgets', auth: 'management', body: 'none', query: [] },
  { method: 'PUT', path: '/v1/admin/tenants/:tenant_id/budgets', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/budgets/clear', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/users', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/users', auth: 'management', body: 'none', query: list },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/users/:user_id', auth: 'management', body: 'none', query: [] },
  { method: 'PATCH', path: '/v1/admin/tenants/:tenant_id/users/:user_id', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/users/:user_id/suspend', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/users/:user_id/resume', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/users/:user_id/erase', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/keys', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/keys', auth: 'management', body: 'none', query: list },
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/keys/:key_id', auth: 'management', body: 'none', query: [] },
  { method: 'PATCH', path: '/v1/admin/tenants/:tenant_id/keys/:key_id', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/keys/:key_id/revoke', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/prices', auth: 'management', body: 'none', query: list },
  { method: 'POST', path: '/v1/admin/prices', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/admin/admin-keys', auth: 'management', body: 'session', query: [] },
  { method: 'GET', path: '/v1/admin/admin-keys', auth: 'management', body: 'none', query: list },
  { method: 'POST', path: '/v1/admin/admin-keys/:admin_key_id/revoke', auth: 'management', body: 'session', query: [] },
  { method: 'POST', path: '/v1/documents', auth: 'key', body: 'multipart', query: [] },
  { method: 'GET', path: '/v1/documents', auth: 'key', body: 'none', query: [...list, 'collection', 'status'] },
  { method: 'GET', path: '/v1/documents/:id', auth: 'key', body: 'none', query: [], ids: { id: 'document' } },
  { method: 'DELETE', path: '/v1/documents/:id', auth: 'key', body: 'none', query: [], ids: { id: 'document' } },
  { method: 'POST', path: '/v1/documents/:id/reindex', auth: 'key', body: 'none', query: [], ids: { id: 'document' } },
  { method: 'POST', path: '/v1/jobs', auth: 'key', body: 'job', query: [] },
  { method: 'GET', path: '/v1/jobs', auth: 'key', body: 'none', query: [...list, 'status', 'type'] },
  { method: 'GET', path: '/v1/jobs/:id', auth: 'key', body: 'none', query: [], ids: { id: 'job' } },
  { method: 'POST', path: '/v1/jobs/:id/cancel', auth: 'key', body: 'none', query: [], ids: { id: 'job' } },
  { method: 'GET', path: '/v1/jobs/:id/deliveries', auth: 'key', body: 'none', query: [], ids: { id: 'job' } },
  {
    method: 'POST',
    path: '/v1/jobs/:id/deliveries/:delivery_id/redeliver',
    auth: 'key',
    body: 'none',
    query: [],
    ids: { id: 'job', delivery_id: 'delivery' },
  },
  { method: 'POST', path: '/v1/collections', auth: 'key', body: 'collection', query: [] },
  { method: 'GET', path: '/v1/collections', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/collections/:id', auth: 'key', body: 'none', query: [], ids: { id: 'collection' } },
  { method: 'POST', path: '/v1/webhook-endpoints', auth: 'key', body: 'endpoint', query: [] },
  { method: 'GET', path: '/v1/webhook-endpoints', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/webhook-endpoints/:id', auth: 'key', body: 'none', query: [], ids: { id: 'endpoint' } },
  { method: 'PATCH', path: '/v1/webhook-endpoints/:id', auth: 'key', body: 'endpoint-patch', query: [], ids: { id: 'endpoint' } },
  { method: 'DELETE', path: '/v1/webhook-endpoints/:id', auth: 'key', body: 'none', query: [], ids: { id: 'endpoint' } },
  { method: 'POST', path: '/v1/webhook-endpoints/:id/rotate', auth: 'key', body: 'rotate', query: [], ids: { id: 'endpoint' } },
  { method: 'POST', path: '/v1/webhook-endpoints/:id/test', auth: 'key', body: 'none', query: [], ids: { id: 'endpoint' } },
  { method: 'GET', path: '/v1/webhooks/secret', auth: 'key', body: 'none', query: [] },
  { method: 'POST', path: '/v1/webhooks/secret/rotate', auth: 'key', body: 'rotate', query: [] },
  { method: 'GET', path: '/v1/webhooks/endpoints', auth: 'key', body: 'none', query: [] },
  { method: 'POST', path: '/v1/webhooks/endpoints/:id/enable', auth: 'key', body: 'none', query: [], ids: { id: 'endpoint' } },
  // Prompt templates: members read, tenant admins write (a fuzzed key is a member: writes get 403).
  { method: 'POST', path: '/v1/prompts', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/prompts', auth: 'key', body: 'none', query: list },
  { method: 'GET', path: '/v1/prompts/:name', auth: 'key', body: 'none', query: [] },
  { method: 'POST', path: '/v1/prompts/:name/versions', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/prompts/:name/versions', auth: 'key', body: 'none', query: list },
  { method: 'GET', path: '/v1/prompts/:name/versions/:version', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/prompts/:name/diff', auth: 'key', body: 'none', query: ['from', 'to'] },
  { method: 'PUT', path: '/v1/prompts/:name/labels/:label', auth: 'key', body: 'session', query: [] },
  { method: 'DELETE', path: '/v1/prompts/:name/labels/:label', auth: 'key', body: 'none', query: [] },
  { method: 'PUT', path: '/v1/prompts/:name/labels/:label/experiment', auth: 'key', body: 'session', query: [] },
  { method: 'POST', path: '/v1/prompts/:name/labels/:label/promote', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/prompts/:name/label-events', auth: 'key', body: 'none', query: list },
  { method: 'POST', path: '/v1/prompts/:name/render', auth: 'key', body: 'session', query: [] },
  // Live evaluation (tenant admins; a fuzzed member key gets 403, and the query parsers still run).
  { method: 'GET', path: '/v1/evaluations/scores', auth: 'key', body: 'none', query: [...list, 'message_id', 'rubric', 'status'] },
  { method: 'GET', path: '/v1/evaluations/aggregates', auth: 'key', body: 'none', query: ['start', 'end', 'rubric', 'model', 'template_version'] },
  { method: 'GET', path: '/v1/evaluations/compare', auth: 'key', body: 'none', query: ['a', 'b', 'dimension', 'rubric', 'start', 'end'] },
  { method: 'GET', path: '/v1/evaluations/alerts', auth: 'key', body: 'none', query: list },
  // The caller's long-term memories (ids are generated: another's or none answer 404).
  { method: 'GET', path: '/v1/memories', auth: 'key', body: 'none', query: list },
  { method: 'POST', path: '/v1/memories', auth: 'key', body: 'session', query: [] },
  { method: 'DELETE', path: '/v1/memories', auth: 'key', body: 'none', query: [] },
  { method: 'DELETE', path: '/v1/memories/:id', auth: 'key', body: 'none', query: [] },
  // Platform-run tools (tenant admins only; a fuzzed member key gets 403, the body parsers still run).
  { method: 'POST', path: '/v1/tools', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/tools', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/tools/:id', auth: 'key', body: 'none', query: [] },
  { method: 'PATCH', path: '/v1/tools/:id', auth: 'key', body: 'session', query: [] },
  { method: 'DELETE', path: '/v1/tools/:id', auth: 'key', body: 'none', query: [] },
  { method: 'POST', path: '/v1/mcp-servers', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/mcp-servers', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/mcp-servers/:id', auth: 'key', body: 'none', query: [] },
  { method: 'PATCH', path: '/v1/mcp-servers/:id', auth: 'key', body: 'session', query: [] },
  { method: 'DELETE', path: '/v1/mcp-servers/:id', auth: 'key', body: 'none', query: [] },
  { method: 'POST', path: '/v1/mcp-servers/:id/refresh', auth: 'key', body: 'session', query: [] },
  { method: 'GET', path: '/v1/tool-allow-lists', auth: 'key', body: 'none', query: [] },
  { method: 'GET', path: '/v1/tool-allow-lists/:api_key_id', auth: 'key', body: 'none', query: [] },
  { method: 'PUT', path: '/v1/tool-allow-lists/:api_key_id', auth: 'key', body: 'session', query: [] },
  { method: 'DELETE', path: '/v1/tool-allow-lists/:api_key_id', auth: 'key', body: 'none', query: [] },
  // The response cache of a tenant (admin API).
  { method: 'GET', path: '/v1/admin/tenants/:tenant_id/cache', auth: 'management', body: 'none', query: [] },
  { method: 'POST', path: '/v1/admin/tenants/:tenant_id/cache/purge', auth: 'management', body: 'session', query: [] },
  // The Responses API.
  { method: 'POST', path: '/v1/responses', auth: 'key', body: 'responses', query: [] },
  { method: 'GET', path: '/v1/responses/:id', auth: 'key', body: 'none', query: [], ids: { id: 'response' } },
  { method: 'DELETE', path: '/v1/responses/:id', auth: 'key', body: 'none', query: [], ids: { id: 'response' } },
  { method: 'GET', path: '/docs', auth: 'public', body: 'none', query: [] },
  { method: 'GET', path: '/docs/openapi.json', auth: 'public', body: 'none', query: [] },
  { method: 'GET', path: '/docs/assets/:name', auth: 'public', body: 'none', query: [], ids: { name: 'asset' } },
  { method: 'GET', path: '/health', auth: 'public', body: 'none', query: [] },
  { method: 'GET', path: '/health/ready', auth: 'public', body: 'none', query: [] },
  { method: 'GET', path: '/metrics', auth: 'public', body: 'none', query: [] },
];

/** `/v1/sessions/{id}` (OpenAPI) → `/v1/sessions/:id` (this table). */
export function routeKey(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1').replace(/:[a-z_]+/g, ':param');
}
