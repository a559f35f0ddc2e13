import { randomUUID } from 'node:crypto';
import { createPrismaClient, PrismaClient } from '@conduit/db';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { RunningService, startReady } from './service-process';
import { OtlpReceiver } from './otlp-receiver';

export interface ChatPlatform {
  mock: RunningMockLlm;
  otlp: OtlpReceiver;
  prisma: PrismaClient;
  gateway: RunningService;
  orchestrator: RunningService;
  billing: RunningService;
  queuePrefix: string;
  stop(): Promise<void>;
}

/**
 * gateway → orchestrator → mock upstream, plus billing consuming usage events, each service a
 * real process exporting traces to a loopback OTLP receiver.
 */
export async function startChatPlatform(orchestratorEnv: Record<string, string> = {}): Promise<ChatPlatform> {
  const otlp = new OtlpReceiver();
  await otlp.start();
  const mock = await startMockLlmServer();
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 4);
  const queuePrefix = `e2e-${randomUUID().slice(0, 8)}`;
  const internalToken = randomUUID();
  const common = { ...otlp.env(), QUEUE_PREFIX: queuePrefix };
  const [orchestrator, billing] = await Promise.all([
    startReady('chat-orchestrator', {
      ...common,
      INTERNAL_TOKEN: internalToken,
      ANTHROPIC_API_KEY: 'mock-anthropic-key',
      ANTHROPIC_BASE_URL: mock.url,
      OPENAI_API_KEY: 'mock-openai-key',
      OPENAI_BASE_URL: `${mock.url}/v1`,
      ...orchestratorEnv,
    }),
    startReady('billing', common),
  ]);
  const gateway = await startReady('api-gateway', {
    ...common,
    CHAT_ORCHESTRATOR_URL: orchestrator.url,
    INTERNAL_TOKEN: internalToken,
    MAX_BODY_BYTES: '65536',
    MAX_TOKENS_LIMIT: '4096',
  });
  return {
    mock,
    otlp,
    prisma,
    gateway,
    orchestrator,
    billing,
    queuePrefix,
    stop: async () => {
      await Promise.all([gateway, orchestrator, billing].map((service) => service.stop('SIGTERM')));
      await mock.close();
      await otlp.stop();
      await prisma.$disconnect();
    },
  };
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}
