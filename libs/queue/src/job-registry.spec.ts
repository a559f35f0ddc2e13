import { JobName } from '@conduit/contracts';
import type { JobHandler } from './job-handler';
import { buildJobRegistry, JobRegistryError } from './job-registry';

class FirstHandler implements JobHandler {
  handle = async () => 'first';
}
class SecondHandler implements JobHandler {
  handle = async () => 'second';
}

describe('buildJobRegistry', () => {
  it('maps each job to its queue and handler', () => {
    const handler = new FirstHandler();
    const batches = new SecondHandler();
    const registry = buildJobRegistry([
      { job: JobName.UsageRecord, handler },
      { job: JobName.UsageRecordBatch, handler: batches },
    ]);
    expect(registry.get('usage')?.get(JobName.UsageRecord)).toBe(handler);
    expect(registry.get('usage')?.get(JobName.UsageRecordBatch)).toBe(batches);
  });

  it('refuses to consume a queue with a job of it left without a handler', () => {
    expect(() => buildJobRegistry([{ job: JobName.UsageRecord, handler: new FirstHandler() }])).toThrow(
      new JobRegistryError('queue "usage" is consumed here but job(s) usage.record.batch have no handler'),
    );
  });

  it('refuses two handlers for one job', () => {
    expect(() =>
      buildJobRegistry([
        { job: JobName.UsageRecord, handler: new FirstHandler() },
        { job: JobName.UsageRecord, handler: new SecondHandler() },
      ]),
    ).toThrow(new JobRegistryError('job "usage.record" has two handlers: FirstHandler and SecondHandler'));
  });

  it('refuses a job name that no queue declares', () => {
    expect(() => buildJobRegistry([{ job: 'nope.unknown' as JobName, handler: new FirstHandler() }])).toThrow(
      /not mapped to any queue/,
    );
  });

  it('consumes nothing when a service has no handlers', () => {
    expect(buildJobRegistry([]).size).toBe(0);
  });
});
