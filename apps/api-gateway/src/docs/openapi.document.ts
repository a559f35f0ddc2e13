import { z } from 'zod';
import { chatCompletionRequestSchema } from '@conduit/contracts';
import { listMessagesQuerySchema, feedbackBodySchema } from '../messages/messages.dto';
import { createSessionBodySchema, listSessionsQuerySchema } from '../sessions/sessions.dto';

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  pathParams?: string[];
  success: number;
  stream?: boolean;
}

/** The public API, one entry per route; the document below is derived from the same zod schemas the routes validate with. */
const operations: Operation[] = [
  { method: 'post', path: '/v1/chat/completions', summary: 'Create a chat completion (OpenAI-compatible; `stream: true` for SSE)', tag: 'Chat', body: chatCompletionRequestSchema, success: 200, stream: true },
  { method: 'get', path: '/v1/models', summary: 'List models and aliases', tag: 'Chat', success: 200 },
  { method: 'post', path: '/v1/sessions', summary: 'Create a session', tag: 'Sessions', body: createSessionBodySchema, success: 201 },
  { method: 'get', path: '/v1/sessions', summary: "List the caller's sessions, newest first", tag: 'Sessions', query: listSessionsQuerySchema, success: 200 },
  { method: 'get', path: '/v1/sessions/{id}', summary: 'Get a session', tag: 'Sessions', pathParams: ['id'], success: 200 },
  { method: 'delete', path: '/v1/sessions/{id}', summary: 'Delete a session and its messages', tag: 'Sessions', pathParams: ['id'], success: 200 },
  { method: 'get', path: '/v1/sessions/{id}/messages', summary: "List a session's messages", tag: 'Sessions', pathParams: ['id'], query: listMessagesQuerySchema, success: 200 },
  { method: 'post', path: '/v1/messages/{id}/feedback', summary: 'Rate an assistant message', tag: 'Messages', pathParams: ['id'], body: feedbackBodySchema, success: 200 },
];

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: 'string', description: 'Stable machine-readable code' },
        request_id: { type: 'string' },
      },
      required: ['message', 'type', 'code', 'request_id'],
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function buildOpenApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...(op.pathParams ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } })),
      ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: !(schema as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(schema as z.ZodType),
      })),
      ...(op.path === '/v1/chat/completions'
        ? [{ name: 'x-conduit-session-id', in: 'header', required: false, schema: { type: 'string', format: 'uuid' }, description: 'Continue a session (alternative to `conduit.session_id`)' }]
        : []),
    ];
    paths[op.path] = {
      ...paths[op.path],
      [op.method]: {
        summary: op.summary,
        tags: [op.tag],
        ...(parameters.length ? { parameters } : {}),
        ...(op.body ? { requestBody: { required: op.method === 'post' && op.tag === 'Chat', content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
        responses: {
          [op.success]: {
            description: 'Success',
            content: {
              'application/json': { schema: { type: 'object' } },
              ...(op.stream ? { 'text/event-stream': { schema: { type: 'string' } } } : {}),
            },
          },
          '4XX': { description: 'Client error', content: { 'application/json': { schema: errorSchema } } },
          '5XX': { description: 'Server or upstream error', content: { 'application/json': { schema: errorSchema } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Conduit API',
      version: '0.1.0',
      description: 'OpenAI-compatible chat completions with sessions, feedback and Conduit extensions.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Conduit API key (cdt_...)' } } },
    paths,
  };
}
