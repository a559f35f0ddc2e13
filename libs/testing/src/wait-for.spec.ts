import { waitFor, WaitTimeoutError } from './wait-for';

describe('waitFor', () => {
  it('returns the first value the condition accepts, without waiting out the deadline', async () => {
    let calls = 0;
    const started = Date.now();
    const value = await waitFor(() => ++calls, { what: 'three calls', until: (n) => n >= 3, timeoutMs: 60_000, intervalMs: 1 });
    expect(value).toBe(3);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('accepts any value but undefined, null and false by default', async () => {
    const values = [undefined, null, false, 0];
    expect(await waitFor(() => values.shift(), { what: 'a value', intervalMs: 1 })).toBe(0);
  });

  it('treats a throwing probe as not yet', async () => {
    let calls = 0;
    const probe = async () => {
      calls += 1;
      if (calls < 3) throw new Error('connection refused');
      return 'up';
    };
    expect(await waitFor(probe, { what: 'the service', intervalMs: 1 })).toBe('up');
  });

  it('fails at the deadline, naming what it waited for and the last value seen', async () => {
    const wait = waitFor(async () => ({ status: 'running' }), { what: 'job 42 to succeed', until: (job) => job.status === 'succeeded', timeoutMs: 50, intervalMs: 5 });
    await expect(wait).rejects.toThrow(WaitTimeoutError);
    await expect(wait).rejects.toThrow("timed out after 50 ms waiting for job 42 to succeed; last value: { status: 'running' }");
  });

  it('reports the last error when the probe never succeeded', async () => {
    const wait = waitFor(
      () => {
        throw new Error('ECONNREFUSED');
      },
      { what: 'the gateway', timeoutMs: 20, intervalMs: 5 },
    );
    await expect(wait).rejects.toThrow('waiting for the gateway; last error: Error: ECONNREFUSED');
  });
});
