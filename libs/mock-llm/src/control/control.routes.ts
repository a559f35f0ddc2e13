import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MockHttpError } from '../core/mock-http.exception';
import { parseBody } from '../core/parse-body';
import { wireErrorHandler } from '../exchange/wire-error-handler';
import { faultRuleInputSchema } from '../faults/fault-rule.schema';
import type { MockLlmState } from '../mock-llm.state';
import { openAiWire } from '../openai/openai.wire';

const requestsQuerySchema = z.object({ limit: z.coerce.number().pipe(z.int().min(1)).optional() });

/**
 * Test controls, not part of any provider's API:
 * `POST|GET|DELETE /_mock/faults`, `DELETE /_mock/faults/:id`, `GET|DELETE /_mock/requests`.
 * Errors use OpenAI's error shape.
 */
export const controlRoutes: FastifyPluginCallback<{ state: MockLlmState }> = (app, { state }, done) => {
  app.setErrorHandler(wireErrorHandler(state, () => openAiWire));

  app.post('/faults', (request: FastifyRequest, reply: FastifyReply) => {
    const input = parseBody(faultRuleInputSchema, request.body);
    reply.code(201).send(state.faults.add(input));
  });
  app.get('/faults', (_request: FastifyRequest, reply: FastifyReply) => {
    reply.send({ data: state.faults.list() });
  });
  app.delete('/faults', (_request: FastifyRequest, reply: FastifyReply) => {
    reply.send({ cleared: state.faults.clear() });
  });
  app.delete('/faults/:id', (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    if (!state.faults.remove(request.params.id)) {
      throw new MockHttpError(404, `No fault rule with id "${request.params.id}"`);
    }
    reply.send({ deleted: request.params.id });
  });

  app.get('/requests', (request: FastifyRequest, reply: FastifyReply) => {
    const { limit } = parseBody(requestsQuerySchema, request.query);
    reply.send({ data: state.requests.list(limit) });
  });
  app.delete('/requests', (_request: FastifyRequest, reply: FastifyReply) => {
    state.requests.clear();
    reply.send({ cleared: true });
  });
  done();
};
