import type { FastifyInstance } from 'fastify';
import type { MockLlmOptionsInput } from './mock-llm.options';
import { createMockLlmServer, mockLlmStateOf } from './mock-llm.server';
import type { MockLlmState } from './mock-llm.state';

/** A mock server listening on an ephemeral loopback port, for tests and benchmarks. */
export interface RunningMockLlm {
  server: FastifyInstance;
  state: MockLlmState;
  /** e.g. `http://127.0.0.1:40123` (Anthropic SDK baseURL; append `/v1` for the OpenAI SDK). */
  url: string;
  close(): Promise<void>;
}

export async function startMockLlmServer(options: MockLlmOptionsInput = {}): Promise<RunningMockLlm> {
  const server = createMockLlmServer(options);
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('mock-llm: no TCP address');
  return {
    server,
    state: mockLlmStateOf(server),
    url: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
}
