import { randomUUID } from 'node:crypto';
import { PriceBook } from '@conduit/budget';
import { ConduitHeader, QueueName } from '@conduit/contracts';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** ~1,500 words: past Anthropic's 1024-token minimum by Conduit's estimate and the mock's count. */
const LONG_SYSTEM = `You are a careful assistant. ${Array.from({ length: 1_500 }, (_, i) => `clause${i % 89}`).join(' ')}`;

interface Completion {
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
}

/**
 * Provider prompt caching through the chat path (`default` is claude-sonnet-4-6 on the mock's
 * Anthropic wire): the client sees the cache read as `prompt_tokens_details.cached_tokens`, and
 * the stored cost prices reads and writes at the cache rates.
 */
describe('provider prompt caching in the chat pipeline', () => {
  let t: OrchestratorTestApp;
  let owner: TestOwner;

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
    owner = await createOwner(t.prisma);
  });

  afterAll(async () => {
    await removeOwners(t.prisma, [owner]);
    await t.close();
  });

  async function ask(question: string) {
    const response = await internalChat(t, INTERNAL_TOKEN, owner, {
      messages: [
        { role: 'system', content: LONG_SYSTEM },
        { role: 'user', content: question },
      ],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Completion;
    const id = response.headers.get(ConduitHeader.MessageId) as string;
    const message = await waitFor(() => t.prisma.message.findUnique({ where: { id } }), { what: 'the assistant message', until: (m) => m !== null });
    const event = await waitFor(() => t.producer.queue(QueueName.Usage).getJob(`usage-${id}`), { what: 'the usage event', until: (job) => job !== undefined });
    return { usage: body.usage, cost: Number(message?.costUsd), entry: t.mock.state.requests.list().at(-1), event: event?.data };
  }

  it('returns the cache read as cached_tokens and prices reads and writes at the cache rates', async () => {
    const first = await ask('First question?');
    expect(first.entry?.cache_control_blocks).toBe(1);
    expect(first.usage.prompt_tokens_details.cached_tokens).toBe(0);

    const second = await ask('Second question?');
    const read = second.entry?.cache_read_tokens ?? 0;
    expect(read).toBeGreaterThan(1_024);
    expect(second.usage.prompt_tokens_details.cached_tokens).toBe(read);
    expect(second.usage.prompt_tokens).toBe(second.entry?.prompt_tokens);

    const price = t.app.get(PriceBook).priceOf('claude-sonnet-4-6');
    if (price === undefined) throw new Error('claude-sonnet-4-6 has no seeded price');
    const writes = first.entry?.cache_write_tokens ?? 0;
    const expectedFirst = ((first.usage.prompt_tokens - writes) * price.input + writes * price.cache_write + first.usage.completion_tokens * price.output) / 1e6;
    const expectedSecond = ((second.usage.prompt_tokens - read) * price.input + read * price.cached_input + second.usage.completion_tokens * price.output) / 1e6;
    expect(first.cost).toBeCloseTo(expectedFirst, 7);
    expect(second.cost).toBeCloseTo(expectedSecond, 7);
    // Anthropic's published ratios (the seeded row sets reads at $0.30; writes default to 1.25x input).
    expect(price.cache_write).toBeCloseTo(price.input * 1.25, 9);
    expect(second.cost).toBeLessThan(first.cost / 2);
    // Billing gets both counts and prices them the same way (apps/billing usage-record.int-spec).
    expect(first.event).toMatchObject({ cached_tokens: 0, cache_write_tokens: writes });
    expect(second.event).toMatchObject({ cached_tokens: read, cache_write_tokens: 0 });
  });
});
