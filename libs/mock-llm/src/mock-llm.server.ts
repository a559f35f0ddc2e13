import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { parseMockLlmOptions, type MockLlmOptionsInput } from './mock-llm.options';
import { mockLlmPlugin } from './mock-llm.plugin';
import { MockLlmState } from './mock-llm.state';

const states = new WeakMap<FastifyInstance, MockLlmState>();

/**
 * A Fastify instance serving the mock LLM upstream (not listening yet: call `listen` or wrap it
 * in Nest's FastifyAdapter). Options are validated; defaults give zero delays and echo replies.
 * Fastify's logger is off unless `fastifyOptions.logger` says otherwise.
 */
export function createMockLlmServer(
  options: MockLlmOptionsInput = {},
  fastifyOptions: FastifyServerOptions = {},
): FastifyInstance {
  const state = new MockLlmState(parseMockLlmOptions(options));
  const app = Fastify({ logger: false, forceCloseConnections: true, ...fastifyOptions });
  app.register(mockLlmPlugin, { state });
  states.set(app, state);
  return app;
}

/**
 * In-process access to a server's fault rules (`faults.add/clear/list`) and request log
 * (`requests.list/clear`), as an alternative to the `/_mock` HTTP endpoints.
 */
export function mockLlmStateOf(app: FastifyInstance): MockLlmState {
  const state = states.get(app);
  if (!state) throw new Error('Not a server created by createMockLlmServer');
  return state;
}
