import { z } from 'zod';
import { chatCompletionRequestSchema, ConduitHeader, toolConfirmationDecisionSchema } from '@conduit/contracts';
import { createEmbeddingsBodySchema } from '../embeddings/embeddings.dto';
import { createCollectionBodySchema } from '../documents/collections.dto';
import { listDocumentsQuerySchema, uploadFieldsSchema } from '../documents/documents.dto';
import { aggregatesQuerySchema, alertsQuerySchema, compareQuerySchema, scoresQuerySchema } from '../evaluations/evaluations.dto';
import { ADMIN_OPERATIONS } from '../admin/admin.openapi';
import { PROMPT_OPERATIONS } from '../prompts/prompts.openapi';
import { TOOL_OPERATIONS } from '../tools/tools.openapi';
import type { OpenApiOperation } from './openapi.operation';
import { createJobBodySchema, listJobsQuerySchema } from '../jobs/jobs.dto';
import { listMessagesQuerySchema, feedbackBodySchema } from '../messages/messages.dto';
import { responsesRequestSchema } from '../responses/responses-request';
import { createSessionBodySchema, listSessionsQuerySchema } from '../sessions/sessions.dto';
import { adminUsageQuerySchema, usageQuerySchema } from '../usage/usage.dto';
import { createEndpointBodySchema, updateEndpointBodySchema } from '../webhooks/webhook-endpoints.dto';
import { rotateSecretBodySchema } from '../webhooks/webhooks.dto';
import { createMemoryBodySchema, listMemoriesQuerySchema } from '../memories/memories.dto';


const RESPONSE_ID_SCHEMA = { type: 'string', pattern: '^resp_[0-9a-f]{32}$' };

/** The public API, one entry per route; the document below is derived from the same zod schemas the routes validate with. */
const operations: OpenApiOperation[] = [
  { method: 'post', path: '/v1/chat/completions', summary: 'Create a chat completion (OpenAI-compatible; `stream: true` for SSE)', tag: 'Chat', body: chatCompletionRequestSchema, success: 200, stream: true },
  { method: 'get', path: '/v1/models', summary: 'List models and aliases', tag: 'Chat', success: 200 },
  { method: 'post', path: '/v1/tool-confirmations/{id}', summary: 'Approve or deny the dangerous tool calls a tool run paused on, and get the resumed answer (`stream: true` for SSE); 404 for a confirmation not yours, 409 once decided', tag: 'Chat', body: toolConfirmationDecisionSchema, pathParams: ['id'], success: 200, stream: true },
  {
    method: 'post',
    path: '/v1/embeddings',
    summary: 'Create embeddings (OpenAI-compatible): texts or token arrays, `dimensions`, `encoding_format` float or base64; billed, rate-limited and cached per tenant',
    tag: 'Embeddings',
    body: createEmbeddingsBodySchema,
    success: 200,
  },
  {
    method: 'post',
    path: '/v1/responses',
    summary:
      'Create a response (OpenAI Responses API; `stream: true` for its SSE events). Text or message input, instructions, function tools, `previous_response_id`; unsupported fields answer 400 `unsupported_parameter`',
    tag: 'Responses',
    body: responsesRequestSchema,
    success: 200,
    stream: true,
  },
  { method: 'get', path: '/v1/responses/{id}', summary: 'Get a stored response', tag: 'Responses', pathParams: ['id'], pathParamSchemas: { id: RESPONSE_ID_SCHEMA }, success: 200 },
  { method: 'delete', path: '/v1/responses/{id}', summary: 'Delete a stored response (its answer and the message that asked it)', tag: 'Responses', pathParams: ['id'], pathParamSchemas: { id: RESPONSE_ID_SCHEMA }, success: 200 },
  { method: 'post', path: '/v1/sessions', summary: 'Create a session', tag: 'Sessions', body: createSessionBodySchema, success: 201 },
  { method: 'get', path: '/v1/sessions', summary: "List the caller's sessions, newest first", tag: 'Sessions', query: listSessionsQuerySchema, success: 200 },
  { method: 'get', path: '/v1/sessions/{id}', summary: 'Get a session', tag: 'Sessions', pathParams: ['id'], success: 200 },
  { method: 'delete', path: '/v1/sessions/{id}', summary: 'Delete a session and its messages', tag: 'Sessions', pathParams: ['id'], success: 200 },
  { method: 'get', path: '/v1/sessions/{id}/messages', summary: "List a session's messages", tag: 'Sessions', pathParams: ['id'], query: listMessagesQuerySchema, success: 200 },
  { method: 'post', path: '/v1/documents', summary: 'Upload a document (multipart: `file` + `collection`); 202, ingested in the background', tag: 'Documents', body: uploadFieldsSchema, multipart: true, success: 202 },
  { method: 'get', path: '/v1/documents', summary: "List the caller's documents", tag: 'Documents', query: listDocumentsQuerySchema, success: 200 },
  { method: 'get', path: '/v1/documents/{id}', summary: 'Get a document with its ingestion status and progress', tag: 'Documents', pathParams: ['id'], success: 200 },
  { method: 'delete', path: '/v1/documents/{id}', summary: 'Delete a document, its chunks and vectors', tag: 'Documents', pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/documents/{id}/reindex', summary: 'Ingest a document again', tag: 'Documents', pathParams: ['id'], success: 202 },
  { method: 'post', path: '/v1/collections', summary: 'Create a collection: `private` (default) or, tenant admins only, `tenant` (shared with every user of the tenant)', tag: 'Documents', body: createCollectionBodySchema, success: 201 },
  { method: 'get', path: '/v1/collections', summary: "The collections the caller sees: their private ones and the tenant's shared ones", tag: 'Documents', success: 200 },
  { method: 'get', path: '/v1/collections/{id}', summary: "Get a collection (404 for another user's private one)", tag: 'Documents', pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/jobs', summary: 'Submit an async job (`chat.completion`, `chat.batch`); 202 with the job at once. `Idempotency-Key` header: same key and body → same job, different body → 409', tag: 'Jobs', body: createJobBodySchema, success: 202 },
  { method: 'get', path: '/v1/jobs', summary: "List the caller's jobs, newest first (filter by `status`, `type`)", tag: 'Jobs', query: listJobsQuerySchema, success: 200 },
  { method: 'get', path: '/v1/jobs/{id}', summary: 'Get a job: status (`requires_action` names its tool confirmation in `required_action`), progress, attempts, result or error', tag: 'Jobs', pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/jobs/{id}/cancel', summary: 'Cancel a queued, running or requires_action job (a running one has its provider call aborted)', tag: 'Jobs', pathParams: ['id'], success: 200 },
  { method: 'get', path: '/v1/jobs/{id}/deliveries', summary: "The job's webhook deliveries with every attempt", tag: 'Jobs', pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/jobs/{id}/deliveries/{delivery_id}/redeliver', summary: 'Send a finished delivery again (same webhook-id, new retry schedule)', tag: 'Jobs', pathParams: ['id', 'delivery_id'], success: 202 },
  { method: 'post', path: '/v1/webhook-endpoints', summary: 'Register a webhook endpoint with its event types (tenant admins); the answer holds its `whsec_` secret, shown once', tag: 'Webhooks', body: createEndpointBodySchema, success: 201 },
  { method: 'get', path: '/v1/webhook-endpoints', summary: "The tenant's registered webhook endpoints (tenant admins)", tag: 'Webhooks', success: 200 },
  { method: 'get', path: '/v1/webhook-endpoints/{id}', summary: 'Get a registered webhook endpoint (tenant admins)', tag: 'Webhooks', pathParams: ['id'], success: 200 },
  { method: 'patch', path: '/v1/webhook-endpoints/{id}', summary: 'Change its URL, event types, description or `enabled` (tenant admins)', tag: 'Webhooks', pathParams: ['id'], body: updateEndpointBodySchema, success: 200 },
  { method: 'delete', path: '/v1/webhook-endpoints/{id}', summary: 'Delete a registered webhook endpoint (tenant admins)', tag: 'Webhooks', pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/webhook-endpoints/{id}/rotate', summary: 'New secret (shown once); until `previous_secret_expires_at` deliveries carry both signatures (tenant admins)', tag: 'Webhooks', pathParams: ['id'], body: rotateSecretBodySchema, success: 200 },
  { method: 'post', path: '/v1/webhook-endpoints/{id}/test', summary: 'Send a `webhook.test` event to the endpoint (tenant admins)', tag: 'Webhooks', pathParams: ['id'], success: 202 },
  { method: 'get', path: '/v1/webhooks/secret', summary: "The tenant's webhook signing secret for jobs' own `webhook_url`s (`whsec_…`, Standard Webhooks; tenant admins), created on first use", tag: 'Webhooks', success: 200 },
  { method: 'post', path: '/v1/webhooks/secret/rotate', summary: 'Rotate the signing secret; the old one keeps verifying for `grace_period_seconds`', tag: 'Webhooks', body: rotateSecretBodySchema, success: 200 },
  { method: 'get', path: '/v1/webhooks/endpoints', summary: "The tenant's webhook endpoints (disabled ones answered 410)", tag: 'Webhooks', success: 200 },
  { method: 'post', path: '/v1/webhooks/endpoints/{id}/enable', summary: 'Enable an endpoint disabled by a 410', tag: 'Webhooks', pathParams: ['id'], success: 200 },
  { method: 'get', path: '/v1/memories', summary: "The caller's long-term memories, newest first", tag: 'Memories', query: listMemoriesQuerySchema, success: 200 },
  { method: 'post', path: '/v1/memories', summary: 'Add a memory the user states (201; the same fact again: 200 with the memory kept)', tag: 'Memories', body: createMemoryBodySchema, success: 201 },
  { method: 'delete', path: '/v1/memories', summary: "Forget every memory of the caller (rows and vectors)", tag: 'Memories', success: 200 },
  { method: 'delete', path: '/v1/memories/{id}', summary: 'Forget one memory (404 for one that is not the caller’s)', tag: 'Memories', pathParams: ['id'], success: 200 },
  { method: 'post', path: '/v1/messages/{id}/feedback', summary: 'Rate an assistant message', tag: 'Messages', pathParams: ['id'], body: feedbackBodySchema, success: 200 },
  { method: 'get', path: '/v1/evaluations/scores', summary: "The tenant's evaluation scores per message (judge model and rubric version included), newest first (tenant admins)", tag: 'Evaluations', query: scoresQuerySchema, success: 200 },
  { method: 'get', path: '/v1/evaluations/aggregates', summary: 'Daily score aggregates per template version, model and rubric: mean, 95 % interval, n (tenant admins)', tag: 'Evaluations', query: aggregatesQuerySchema, success: 200 },
  { method: 'get', path: '/v1/evaluations/compare', summary: 'Compare two models (or template versions, `dimension=template_version`) per rubric: mean, 95 % interval and n of each, and the difference (tenant admins)', tag: 'Evaluations', query: compareQuerySchema, success: 200 },
  { method: 'get', path: '/v1/evaluations/alerts', summary: "The tenant's quality regression alerts (`eval.regression`), newest first (tenant admins)", tag: 'Evaluations', query: alertsQuerySchema, success: 200 },
  { method: 'get', path: '/v1/usage', summary: "The caller's usage by UTC day and model: tokens, requests, billed cost (`format=csv` for CSV)", tag: 'Usage', query: usageQuerySchema, success: 200 },
  { method: 'get', path: '/v1/budget', summary: "The caller's, its tenant's and (when it has one) its API key's caps, spend, reserved, remaining and reset times; rate limits", tag: 'Usage', success: 200 },
  { method: 'get', path: '/v1/admin/usage', summary: 'Usage of any tenant or user (a tenant admin: their own tenant), grouped by tenant/user/day/model', tag: 'Admin', query: adminUsageQuerySchema, success: 200 },
  ...PROMPT_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...TOOL_OPERATIONS,
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

function requestBodyOf(op: OpenApiOperation, body: z.ZodType) {
  if (!op.multipart) {
    return { required: op.tag === 'Chat' || op.tag === 'Embeddings' || op.tag === 'Responses', content: { 'application/json': { schema: jsonSchema(body) } } };
  }
  const fields = jsonSchema(body) as { properties?: Record<string, unknown>; required?: string[] };
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: { ...fields.properties, file: { type: 'string', format: 'binary' } },
          required: [...(fields.required ?? []), 'file'],
        },
      },
    },
  };
}

export function buildOpenApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...(op.pathParams ?? []).map((name) => ({ name, in: 'path', required: true, schema: op.pathParamSchemas?.[name] ?? { type: 'string', format: 'uuid' } })),
      ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: !(schema as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(schema as z.ZodType),
      })),
      ...(op.path === '/v1/chat/completions'
        ? [{ name: ConduitHeader.SessionId, in: 'header', required: false, schema: { type: 'string', format: 'uuid' }, description: 'Continue a session (alternative to `conduit.session_id`)' }]
        : []),
      {
        name: ConduitHeader.EndUser,
        in: 'header',
        required: false,
        schema: { type: 'string', minLength: 1, maxLength: 256 },
        description: 'Act for this end user of your application (keys with the `act_for_users` scope only); created on first sight',
      },
    ];
    paths[op.path] = {
      ...paths[op.path],
      [op.method]: {
        summary: op.summary,
        tags: [op.tag],
        parameters,
        ...(op.body ? { requestBody: requestBodyOf(op, op.body) } : {}),
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
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: "A Conduit API key (cdt_...), or a JWT from the issuer of a tenant that signs its end users in" } } },
    paths,
  };
}
