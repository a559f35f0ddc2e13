import { randomUUID } from 'node:crypto';
import { chatCompletionRequestSchema } from '@conduit/contracts';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { chatInput, createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';
import { UsageErrorCode } from './usage.exception';

/**
 * The orchestrator's half of "a model is routable only when priced" (issue 12, finding 5): every
 * chat it runs — HTTP or async job, which share `ChatPipeline.start` — is refused before any
 * provider call when its route has an unpriced target, unless the tenant allows unpriced models.
 */
describe('unpriced models in the orchestrator (real Postgres price list and tenant setting)', () => {
  let t: OrchestratorTestApp;
  let closed: TestOwner;
  let open: TestOwner;

  beforeAll(async () => {
    // Policy cache off, so the tenant setting is read as it is now.
    t = await startOrchestratorTestApp({ BUDGET_CAP_CACHE_TTL_MS: '0' }, {
      routes: {
        default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }],
        // A priced first target does not make the route priced: the call may end on the second.
        'half-priced': [
          { provider: 'openai', model: 'gpt-4.1-mini' },
          { provider: 'openai', model: 'gpt-5' },
        ],
      },
    });
    [closed, open] = await Promise.all([createOwner(t.prisma), createOwner(t.prisma)]);
    await t.prisma.tenant.update({ where: { id: open.tenantId }, data: { allowUnpricedModels: true } });
  });

  afterAll(async () => {
    await removeOwners(t.prisma, [closed, open]);
    await t.close();
  });

  beforeEach(() => t.mock.state.requests.clear());

  const context = (owner: TestOwner) => ({ ...owner, apiKeyId: null, requestId: randomUUID(), feature: 'job' as const });
  const prepare = (owner: TestOwner, model: string) => t.app.get(ChatPipeline).start(chatCompletionRequestSchema.parse(chatInput('Hello', model)), context(owner));

  it.each(['gpt-5', 'o3', 'claude-opus-4-5', 'half-priced'])('refuses %s with model_not_priced for a tenant that did not opt in', async (model) => {
    await expect(prepare(closed, model)).rejects.toMatchObject({ code: UsageErrorCode.ModelNotPriced, details: { param: 'model' } });
    expect(t.mock.state.requests.list()).toEqual([]);
  });

  it('serves priced models, dated snapshots by their family, and unpriced models to a tenant that opted in', async () => {
    await expect(prepare(closed, 'default')).resolves.toMatchObject({ request: { model: 'default' } });
    await expect(prepare(closed, 'gpt-4o-2024-08-06')).resolves.toBeDefined();
    await expect(prepare(open, 'gpt-5')).resolves.toBeDefined();
    await expect(prepare(open, 'half-priced')).resolves.toBeDefined();
  });

  it('follows the tenant setting when it changes', async () => {
    const later = await createOwner(t.prisma);
    try {
      await expect(prepare(later, 'gpt-5')).rejects.toMatchObject({ code: UsageErrorCode.ModelNotPriced });
      await t.prisma.tenant.update({ where: { id: later.tenantId }, data: { allowUnpricedModels: true } });
      await expect(prepare(later, 'gpt-5')).resolves.toBeDefined();
    } finally {
      await removeOwners(t.prisma, [later]);
    }
  });
});
