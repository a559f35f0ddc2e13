import { randomBytes, randomUUID } from 'node:crypto';
import { QueueName } from '@conduit/contracts';
import { createPrismaClient, PrismaClient } from '@conduit/db';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { RunningService, startReady } from './service-process';
import { OtlpReceiver } from './otlp-receiver';
import { QueueDepth } from './queue-depth';

export interface ChatPlatform {
  mock: RunningMockLlm;
  otlp: OtlpReceiver;
  prisma: PrismaClient;
  gateway: RunningService;
  orchestrator: RunningService;
  billing: RunningService;
  queuePrefix: string;
  /** Unfinished jobs of the platform's queues: wait for zero before checking that nothing more happens. */
  queues: QueueDepth;
  /** Starts a new billing process (after the previous one was stopped or killed), `env` over its usual environment; it becomes `billing`. */
  startBilling(env?: Record<string, string>): Promise<RunningService>;
  /**
   * Starts a new orchestrator process with the same environment and port (after the previous one
   * was stopped or killed, e.g. SIGKILL mid-job); it becomes `orchestrator`.
   */
  startOrchestrator(): Promise<RunningService>;
  /** Starts one more gateway replica with the same environment (plus `env`) on its own port (stopped by `stop`). */
  startGateway(env?: Record<string, string>): Promise<RunningService>;
  /** Starts one more orchestrator replica with the same environment on its own port (stopped by `stop`). */
  startOrchestratorReplica(): Promise<RunningService>;
  /** Starts one more billing replica consuming the same queues (stopped by `stop`). */
  startBillingReplica(): Promise<RunningService>;
  stop(): Promise<void>;
}

export interface ChatPlatformOptions {
  /** Extra environment of the gateway (e.g. `TIER_POLICY`, `ADMIN_API_KEY`). */
  gatewayEnv?: Record<string, string>;
  /** Extra environment of billing. */
  billingEnv?: Record<string, string>;
}

/**
 * gateway → orchestrator → mock upstream, plus billing consuming usage events, each service a
 * real process exporting traces to a loopback OTLP receiver.
 */
export async function startChatPlatform(
  orchestratorEnv: Record<string, string> = {},
  options: ChatPlatformOptions = {},
): Promise<ChatPlatform> {
  const otlp = new OtlpReceiver();
  await otlp.start();
  const mock = await startMockLlmServer();
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 4);
  const queuePrefix = `e2e-${randomUUID().slice(0, 8)}`;
  const internalToken = randomUUID();
  // The gateway seals webhook secrets and billing opens them: one keyring for both, as in a deployment.
  const secretsKek = `e2e:${randomBytes(32).toString('base64')}`;
  const common = { ...otlp.env(), QUEUE_PREFIX: queuePrefix, SECRETS_KEK: secretsKek };
  const fullOrchestratorEnv = {
    ...common,
    INTERNAL_TOKEN: internalToken,
    ANTHROPIC_API_KEY: 'mock-anthropic-key',
    ANTHROPIC_BASE_URL: mock.url,
    OPENAI_API_KEY: 'mock-openai-key',
    OPENAI_BASE_URL: `${mock.url}/v1`,
    ...orchestratorEnv,
  };
  const [orchestrator, billing] = await Promise.all([
    startReady('chat-orchestrator', fullOrchestratorEnv),
    startReady('billing', { ...common, ...options.billingEnv }),
  ]);
  const gatewayEnv = {
    ...common,
    CHAT_ORCHESTRATOR_URL: orchestrator.url,
    INTERNAL_TOKEN: internalToken,
    MAX_BODY_BYTES: '65536',
    MAX_TOKENS_LIMIT: '4096',
    ...options.gatewayEnv,
  };
  const gateway = await startReady('api-gateway', gatewayEnv);
  const replicas: RunningService[] = [];
  const platform: ChatPlatform = {
    mock,
    otlp,
    prisma,
    gateway,
    orchestrator,
    billing,
    queuePrefix,
    // The queues the orchestrator (jobs, webhooks) and billing (usage) consume.
    queues: new QueueDepth(process.env.REDIS_URL ?? '', queuePrefix, [QueueName.Jobs, QueueName.Webhooks, QueueName.Usage]),
    startOrchestrator: async () => {
      platform.orchestrator = await startReady('chat-orchestrator', { ...fullOrchestratorEnv, PORT: String(platform.orchestrator.port) });
      return platform.orchestrator;
    },
    startGateway: async (env = {}) => {
      const replica = await startReady('api-gateway', { ...gatewayEnv, ...env });
      replicas.push(replica);
      return replica;
    },
    startOrchestratorReplica: async () => {
      const replica = await startReady('chat-orchestrator', fullOrchestratorEnv);
      replicas.push(replica);
      return replica;
    },
    startBillingReplica: async () => {
      const replica = await startReady('billing', { ...common, ...options.billingEnv });
      replicas.push(replica);
      return replica;
    },
    startBilling: async (env = {}) => {
      platform.billing = await startReady('billing', { ...common, ...options.billingEnv, ...env });
      return platform.billing;
    },
    stop: async () => {
      await Promise.all([gateway, ...replicas, platform.orchestrator, platform.billing].map((service) => service.stop('SIGTERM')));
      await mock.close();
      await otlp.stop();
      await platform.queues.close();
      await prisma.$disconnect();
    },
  };
  return platform;
}
