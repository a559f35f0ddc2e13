import type { OpenApiOperation } from '../docs/openapi.operation';
import { createMcpServerBodySchema, createToolBodySchema, emptyBodySchema, setAllowListBodySchema, updateMcpServerBodySchema, updateToolBodySchema } from './tools.dto';

const tag = 'Tools';
const ADMINS = ' (tenant admins)';

/** The tool registry API in the OpenAPI document (tenant admins only; docs/tools.md). */
export const TOOL_OPERATIONS: OpenApiOperation[] = [
  { method: 'post', path: '/v1/tools', summary: `Register an HTTP tool; its signing secret is shown once; a private or non-https URL is refused (400 \`tool_url_refused\`)${ADMINS}`, tag, body: createToolBodySchema, success: 201 },
  { method: 'get', path: '/v1/tools', summary: `The tenant's HTTP tools (secrets never shown)${ADMINS}`, tag, success: 200 },
  { method: 'get', path: '/v1/tools/{id}', summary: `Get an HTTP tool${ADMINS}`, tag, pathParams: ['id'], success: 200 },
  { method: 'patch', path: '/v1/tools/{id}', summary: `Change an HTTP tool (name, URL, schema, timeout, marking, enabled, secret, bearer token)${ADMINS}`, tag, pathParams: ['id'], body: updateToolBodySchema, success: 200 },
  { method: 'delete', path: '/v1/tools/{id}', summary: `Delete an HTTP tool${ADMINS}`, tag, pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/mcp-servers', summary: `Register an MCP server (Streamable HTTP) and discover its tools; its signing secret is shown once${ADMINS}`, tag, body: createMcpServerBodySchema, success: 201 },
  { method: 'get', path: '/v1/mcp-servers', summary: `The tenant's MCP servers with their cached tools and marks${ADMINS}`, tag, success: 200 },
  { method: 'get', path: '/v1/mcp-servers/{id}', summary: `Get an MCP server${ADMINS}`, tag, pathParams: ['id'], success: 200 },
  { method: 'patch', path: '/v1/mcp-servers/{id}', summary: `Change an MCP server, or mark its tools safe or dangerous (\`tools: {"<tool>": {"danger": "safe"}}\`)${ADMINS}`, tag, pathParams: ['id'], body: updateMcpServerBodySchema, success: 200 },
  { method: 'delete', path: '/v1/mcp-servers/{id}', summary: `Delete an MCP server${ADMINS}`, tag, pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/mcp-servers/{id}/refresh', summary: `Discover the server's tools again (422 \`mcp_discovery_failed\` keeps the last good list)${ADMINS}`, tag, pathParams: ['id'], body: emptyBodySchema, success: 200 },
  { method: 'get', path: '/v1/tool-allow-lists', summary: `The tenant's per-API-key tool allow-lists${ADMINS}`, tag, success: 200 },
  { method: 'get', path: '/v1/tool-allow-lists/{api_key_id}', summary: `An API key's allow-list (\`tools: null\`: every tool of the tenant)${ADMINS}`, tag, pathParams: ['api_key_id'], success: 200 },
  { method: 'put', path: '/v1/tool-allow-lists/{api_key_id}', summary: `Set the tools (names as the model sees them) an API key may use${ADMINS}`, tag, pathParams: ['api_key_id'], body: setAllowListBodySchema, success: 200 },
  { method: 'delete', path: '/v1/tool-allow-lists/{api_key_id}', summary: `Remove an API key's allow-list (every tool allowed again)${ADMINS}`, tag, pathParams: ['api_key_id'], success: 200 },
];
