import { buildOpenApiDocument } from './openapi.document';

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it('describes the chat endpoint with the same schema the route validates with', () => {
    const post = (document.paths['/v1/chat/completions'] as Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>).post;
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['model', 'messages']));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['stream', 'max_tokens', 'tools', 'conduit']));
  });

  it('describes the embeddings endpoint with the schema the route validates with', () => {
    const post = (document.paths['/v1/embeddings'] as Record<string, { requestBody: { required: boolean; content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>).post;
    const schema = post.requestBody.content['application/json'].schema;
    expect(post.requestBody.required).toBe(true);
    expect(schema.required).toEqual(expect.arrayContaining(['model', 'input']));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['dimensions', 'encoding_format', 'user']));
  });

  it('describes the Responses API with the schema its route validates with', () => {
    const paths = document.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>>;
    const schema = paths['/v1/responses'].post.requestBody?.content['application/json'].schema;
    expect(schema?.required).toEqual(expect.arrayContaining(['model', 'input']));
    expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(['instructions', 'tools', 'previous_response_id', 'store', 'stream', 'max_output_tokens']));
    expect(Object.keys(paths['/v1/responses/{id}'])).toEqual(['get', 'delete']);
  });

  it('documents uploads as multipart with a file part', () => {
    const post = (document.paths['/v1/documents'] as Record<string, { requestBody: { content: Record<string, { schema: { required: string[] } }> } }>).post;
    expect(post.requestBody.content['multipart/form-data'].schema.required).toEqual(expect.arrayContaining(['file', 'collection']));
  });

  it('documents async jobs with the schema the submit route validates with', () => {
    const post = (document.paths['/v1/jobs'] as Record<string, { requestBody: { content: Record<string, { schema: { oneOf?: unknown[]; anyOf?: unknown[] } }> } }>).post;
    const schema = post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(schema)).toContain('chat.batch');
    expect(JSON.stringify(schema)).toContain('webhook_url');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/jobs/{id}', '/v1/jobs/{id}/cancel', '/v1/jobs/{id}/deliveries', '/v1/webhooks/secret']));
  });

  it('documents the admin API: tenants, users, keys, caps, prices, policies and admin keys', () => {
    const paths = document.paths as Record<string, Record<string, unknown>>;
    const tenant = '/v1/admin/tenants/{tenant_id}';
    expect(Object.keys(paths['/v1/admin/tenants'])).toEqual(['post', 'get']);
    expect(Object.keys(paths[tenant])).toEqual(['get', 'patch']);
    expect(Object.keys(paths[`${tenant}/policy`])).toEqual(['get', 'put']);
    expect(Object.keys(paths[`${tenant}/budgets`])).toEqual(['get', 'put']);
    expect(Object.keys(paths[`${tenant}/keys/{key_id}`])).toEqual(['get', 'patch']);
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([`${tenant}/suspend`, `${tenant}/resume`, `${tenant}/users/{user_id}/suspend`, `${tenant}/keys/{key_id}/revoke`, '/v1/admin/prices', '/v1/admin/admin-keys']),
    );
    const createKey = paths[`${tenant}/keys`].post as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } };
    expect(Object.keys(createKey.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['user_id', 'scopes', 'allowed_models', 'rpm', 'tpm', 'expires_at']),
    );
    type Body = { requestBody: { content: Record<string, { schema: { properties: Record<string, { enum?: string[]; properties?: Record<string, unknown> }> } }> } };
    const bodyOf = (path: string, method: string) => (paths[path][method] as Body).requestBody.content['application/json'].schema.properties;
    // Caps of a tenant, a user or an API key; the policy document with its sections (cors included).
    expect(bodyOf(`${tenant}/budgets`, 'put').scope.enum).toEqual(['tenant', 'user', 'key']);
    expect(Object.keys(bodyOf(`${tenant}/policy`, 'put'))).toEqual(expect.arrayContaining(['guardrails', 'on_cost_spike', 'cache', 'cors']));
    expect(Object.keys(bodyOf(`${tenant}/policy`, 'put').cors.properties ?? {})).toEqual(['allowed_origins']);
  });

  it('is plain JSON with a bearer security scheme and error bodies on every operation', () => {
    const roundTripped = JSON.parse(JSON.stringify(document));
    expect(roundTripped.openapi).toBe('3.1.0');
    expect(roundTripped.components.securitySchemes.bearer.scheme).toBe('bearer');
    type Operation = { responses: Record<string, unknown>; parameters: { name: string }[] };
    for (const [path, operations] of Object.entries(roundTripped.paths as Record<string, Record<string, Operation>>)) {
      for (const operation of Object.values(operations)) {
        expect(`${path} ${Object.keys(operation.responses).join(',')}`).toMatch(/4XX/);
        // Any call may act for an end user of the tenant's application.
        expect(operation.parameters.map((p) => p.name)).toContain('x-conduit-end-user');
      }
    }
  });
});
