import { z } from 'zod';
import type { McpServer, Tool } from '@conduit/db';
import { discoveredTools, HTTP_TOOL_METHODS, MAX_AUTH_TOKEN_LENGTH, mcpToolName, toolDangerOf } from '@conduit/tools';
import { MAX_WEBHOOK_URL_LENGTH } from '@conduit/webhooks';
import { unixSeconds } from '../sessions/list-page';

const url = z.string().min(1, 'url is required').max(MAX_WEBHOOK_URL_LENGTH, `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
const description = z.string().max(2_000, 'description must be at most 2000 characters');
const timeoutMs = z.number().int().min(100, 'timeout_ms must be at least 100').max(120_000, 'timeout_ms must be at most 120000');
const danger = z.enum(['safe', 'dangerous']);
/** A `whsec_` secret to sign calls with (checked by the store); absent: one is generated and shown once. */
const secret = z.string().min(1).max(200);
/** Sent as `Authorization: Bearer <token>`; null removes it. */
const authToken = z.string().min(1).max(MAX_AUTH_TOKEN_LENGTH).nullable();
const parameters = z.record(z.string(), z.unknown());
const toolName = z.string().min(1, 'name is required').max(64, 'name must be at most 64 characters');
const atLeastOne = (body: object) => Object.keys(body).length > 0;

/** `POST /v1/tools`: an HTTP tool. */
export const createToolBodySchema = z
  .strictObject({
    name: toolName,
    description: description.default(''),
    url,
    method: z.enum(HTTP_TOOL_METHODS).default('POST'),
    parameters: parameters.default({ type: 'object', properties: {} }),
    timeout_ms: timeoutMs.default(10_000),
    danger: danger.default('dangerous'),
    enabled: z.boolean().default(true),
    secret: secret.optional(),
    auth_token: authToken.optional(),
  })
  .transform((body) => ({
    name: body.name,
    description: body.description,
    url: body.url,
    method: body.method,
    parameters: body.parameters,
    timeoutMs: body.timeout_ms,
    danger: body.danger,
    enabled: body.enabled,
    secret: body.secret,
    authToken: body.auth_token,
  }));
export type CreateToolBody = z.output<typeof createToolBodySchema>;

/** `PATCH /v1/tools/{id}`: any of the fields; a new `secret` replaces the old one at once. */
export const updateToolBodySchema = z
  .strictObject({
    name: toolName.optional(),
    description: description.optional(),
    url: url.optional(),
    method: z.enum(HTTP_TOOL_METHODS).optional(),
    parameters: parameters.optional(),
    timeout_ms: timeoutMs.optional(),
    danger: danger.optional(),
    enabled: z.boolean().optional(),
    secret: secret.optional(),
    auth_token: authToken.optional(),
  })
  .refine(atLeastOne, 'name at least one field to change')
  .transform((body) => ({
    name: body.name,
    description: body.description,
    url: body.url,
    method: body.method,
    parameters: body.parameters,
    timeoutMs: body.timeout_ms,
    danger: body.danger,
    enabled: body.enabled,
    secret: body.secret,
    authToken: body.auth_token,
  }));
export type UpdateToolBody = z.output<typeof updateToolBodySchema>;

/** `POST /v1/mcp-servers`. */
export const createMcpServerBodySchema = z
  .strictObject({
    name: z.string().min(1, 'name is required').max(32, 'name must be at most 32 characters'),
    description: description.default(''),
    url,
    timeout_ms: timeoutMs.default(10_000),
    enabled: z.boolean().default(true),
    secret: secret.optional(),
    auth_token: authToken.optional(),
  })
  .transform((body) => ({
    name: body.name,
    description: body.description,
    url: body.url,
    timeoutMs: body.timeout_ms,
    enabled: body.enabled,
    secret: body.secret,
    authToken: body.auth_token,
  }));
export type CreateMcpServerBody = z.output<typeof createMcpServerBodySchema>;

/** `PATCH /v1/mcp-servers/{id}`: settings, and the marking of its tools (`tools: {"<tool>": {"danger": "safe"}}`). */
export const updateMcpServerBodySchema = z
  .strictObject({
    description: description.optional(),
    url: url.optional(),
    timeout_ms: timeoutMs.optional(),
    enabled: z.boolean().optional(),
    secret: secret.optional(),
    auth_token: authToken.optional(),
    tools: z
      .record(z.string().min(1).max(128), z.strictObject({ danger }))
      .refine((tools) => Object.keys(tools).length <= 256, 'mark at most 256 tools at once')
      .optional(),
  })
  .refine(atLeastOne, 'name at least one field to change')
  .transform((body) => ({
    description: body.description,
    url: body.url,
    timeoutMs: body.timeout_ms,
    enabled: body.enabled,
    secret: body.secret,
    authToken: body.auth_token,
    toolDanger: body.tools === undefined ? undefined : Object.fromEntries(Object.entries(body.tools).map(([name, mark]) => [name, mark.danger])),
  }));
export type UpdateMcpServerBody = z.output<typeof updateMcpServerBodySchema>;

/** `PUT /v1/tool-allow-lists/{api_key_id}`: the tools (names as the model sees them) the key may use. */
export const setAllowListBodySchema = z.strictObject({ tools: z.array(z.string().min(1).max(64)).max(512) });
export type SetAllowListBody = z.output<typeof setAllowListBodySchema>;

export const emptyBodySchema = z.strictObject({}).optional();

export interface ToolObject {
  id: string;
  object: 'tool';
  name: string;
  description: string;
  url: string;
  method: string;
  parameters: Record<string, unknown>;
  timeout_ms: number;
  danger: 'safe' | 'dangerous';
  enabled: boolean;
  has_auth_token: boolean;
  created_at: number;
  updated_at: number;
  /** Only in the answer to registration (and to a PATCH that set it): the `whsec_` secret calls are signed with. */
  secret?: string;
}

export function toToolObject(tool: Tool, secret?: string): ToolObject {
  return {
    id: tool.id,
    object: 'tool',
    name: tool.name,
    description: tool.description,
    url: tool.url,
    method: tool.method,
    parameters: tool.parameters as Record<string, unknown>,
    timeout_ms: tool.timeoutMs,
    danger: tool.danger,
    enabled: tool.enabled,
    has_auth_token: tool.authTokenCiphertext !== null,
    created_at: unixSeconds(tool.createdAt),
    updated_at: unixSeconds(tool.updatedAt),
    ...(secret !== undefined ? { secret } : {}),
  };
}

export interface McpServerToolObject {
  /** The tool's name on the server. */
  name: string;
  /** The name the model sees (`<server>__<tool>`); null when that is not a valid function name (the tool is not offered). */
  model_name: string | null;
  description: string;
  input_schema: Record<string, unknown>;
  danger: 'safe' | 'dangerous';
  annotations: Record<string, unknown> | null;
}

export interface McpServerObject {
  id: string;
  object: 'mcp_server';
  name: string;
  description: string;
  url: string;
  timeout_ms: number;
  enabled: boolean;
  has_auth_token: boolean;
  tools: McpServerToolObject[];
  discovered_at: number | null;
  discovery_error: string | null;
  created_at: number;
  updated_at: number;
  secret?: string;
}

export function toMcpServerObject(server: McpServer, secret?: string): McpServerObject {
  const marks = toolDangerOf(server);
  return {
    id: server.id,
    object: 'mcp_server',
    name: server.name,
    description: server.description,
    url: server.url,
    timeout_ms: server.timeoutMs,
    enabled: server.enabled,
    has_auth_token: server.authTokenCiphertext !== null,
    tools: discoveredTools(server).map((tool) => ({
      name: tool.name,
      model_name: mcpToolName(server.name, tool.name),
      description: tool.description,
      input_schema: tool.input_schema,
      danger: marks[tool.name] ?? 'dangerous',
      annotations: tool.annotations ?? null,
    })),
    discovered_at: server.discoveredAt ? unixSeconds(server.discoveredAt) : null,
    discovery_error: server.discoveryError,
    created_at: unixSeconds(server.createdAt),
    updated_at: unixSeconds(server.updatedAt),
    ...(secret !== undefined ? { secret } : {}),
  };
}

export interface ToolAllowListObject {
  object: 'tool_allow_list';
  api_key_id: string;
  /** Null: no list configured, the key may use every enabled tool of the tenant. */
  tools: string[] | null;
}
