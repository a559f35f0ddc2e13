import type { Redis } from 'ioredis';
import { BUDGET_REDIS, DEFAULT_TIER_POLICY, PriceBook, resolveCaps, UsageControls } from '@conduit/budget';
import { JobName, QueueName, UsageBatch, UsageEvent } from '@conduit/contracts';
import type { Job } from '@conduit/db';
import { JobLifecycle, jobIds } from '@conduit/jobs';
import { waitFor } from '@conduit/testing';
import { chatInput, createJobRow, createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';

jest.setTimeout(30_000);

const ESTIMATE_NANO = 5_000_000;

/**
 * The worker's side of a job's budget reservation (issue 13, deliver 1): the gateway reserved the
 * job's worst case at submit under `jobIds.reservation(job id)`; a `chat.completion` settles it
 * with its cost (and its usage event names it, so billing turns the hold into spend), and any job
 * that reaches a terminal status without that has it released.
 */
describe('async job reservations (orchestrator in process, real Redis, mock upstream)', () => {
  let t: OrchestratorTestApp;
  let controls: UsageControls;
  let owner: TestOwner;

  /** The usage event of a turn, sent alone (`usage.record`) or with its write-behind batch (`usage.record.batch`). */
  const usageEventOf = async (eventId: string): Promise<UsageEvent | undefined> => {
    const jobs = await t.producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed']);
    const events = jobs.flatMap((j) => (j?.name === JobName.UsageRecordBatch ? (j.data as UsageBatch).events : j?.name === JobName.UsageRecord ? [j.data as UsageEvent] : []));
    return events.find((event) => event.event_id === eventId);
  };
  const finished = (id: string) =>
    waitFor(() => t.prisma.job.findUniqueOrThrow({ where: { id } }), {
      what: `job ${id} to finish`,
      until: (job) => ['succeeded', 'failed', 'cancelled', 'expired'].includes(job.status),
    });
  /** What the gateway does at submit: one reservation of the job's worst case, named after the job. */
  const reserve = async (job: Job) => {
    const outcome = await controls.admit({
      reservationId: jobIds.reservation(job.id),
      tenantId: job.tenantId,
      userId: job.userId,
      apiKeyId: null,
      estimateNano: ESTIMATE_NANO,
      estimateTokens: 100,
      caps: resolveCaps(DEFAULT_TIER_POLICY, { userTier: 'pro', tenantTier: 'pro' }, []),
      rate: { keyRpm: null, keyTpm: null, userRpm: null, userTpm: null },
      ttlMs: 600_000,
    });
    expect(outcome.admitted).toBe(true);
  };
  const record = (job: Job) => controls.keys.reservation(job.tenantId, jobIds.reservation(job.id));
  const stateOf = async (job: Job) => {
    const [state, amount] = await t.app.get<Redis>(BUDGET_REDIS).hmget(record(job), 'state', 'amount');
    return { state, amount: Number(amount) };
  };
  const run = async (job: Job) => {
    await reserve(job);
    await t.app.get(JobLifecycle).enqueue(job, { retryDelayMs: 50 });
    return finished(job.id);
  };

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ JOBS_CONCURRENCY: '2', JOBS_BATCH_CONCURRENCY: '2' });
    controls = t.app.get(UsageControls);
    owner = await createOwner(t.prisma);
  });

  afterAll(async () => {
    if (t) {
      await removeOwners(t.prisma, [owner]);
      await t.close();
    }
  });

  beforeEach(() => t.mock.state.faults.clear());

  it("settles a chat.completion's reservation with the call's billed cost, and its usage event names the reservation", async () => {
    const job = await createJobRow(t.prisma, owner, { input: chatInput('Settle me') });
    expect((await run(job)).status).toBe('succeeded');
    const message = await t.prisma.message.findUniqueOrThrow({ where: { id: jobIds.assistantMessage(job.id) } });
    const cost = t.app.get(PriceBook).costOf(message.model ?? '', { input_tokens: message.tokensIn, output_tokens: message.tokensOut, cached_tokens: 0 }, message.createdAt);
    expect(cost.nano).toBeGreaterThan(0);
    await waitFor(() => stateOf(job), { what: 'the reservation to be settled', until: (s) => s.state === 'settled' });
    expect(await stateOf(job)).toEqual({ state: 'settled', amount: cost.nano });
    const usage = await t.producer.queue(QueueName.Usage).getJob(`usage-${jobIds.assistantMessage(job.id)}`);
    expect(usage?.name).toBe(JobName.UsageRecord);
    expect(usage?.data).toMatchObject({ feature: 'job', reservation_id: jobIds.reservation(job.id) });
  });

  it("releases a chat.batch's reservation when the batch ends (its requests are billed one by one)", async () => {
    const job = await createJobRow(t.prisma, owner, {
      type: 'chat.batch',
      itemsTotal: 2,
      input: { requests: [{ custom_id: 'a', body: chatInput('one') }, { custom_id: 'b', body: chatInput('two') }] },
    });
    expect((await run(job)).status).toBe('succeeded');
    await waitFor(() => stateOf(job), { what: 'the reservation to be released', until: (s) => s.state === 'released' });
    expect(await usageEventOf(jobIds.assistantMessage(job.id, 1))).toMatchObject({ feature: 'job', reservation_id: null });
  });

  it('releases the reservation of a job that fails', async () => {
    t.mock.state.faults.add({ match: {}, fault: { status: 400 } });
    const job = await createJobRow(t.prisma, owner, { input: chatInput('Refused upstream') });
    expect((await run(job)).status).toBe('failed');
    await waitFor(() => stateOf(job), { what: 'the reservation to be released', until: (s) => s.state === 'released' });
  });

  it('releases the reservation of a job that expires before it runs', async () => {
    const job = await createJobRow(t.prisma, owner, { input: chatInput('Too late'), deadlineAt: new Date(Date.now() - 1_000) });
    expect((await run(job)).status).toBe('expired');
    await waitFor(() => stateOf(job), { what: 'the reservation to be released', until: (s) => s.state === 'released' });
  });
});
