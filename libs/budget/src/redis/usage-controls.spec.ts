import type { Redis } from 'ioredis';
import { CommitInput, UsageControls } from './usage-controls';

/** A Redis double whose script cache starts empty, like a server that just restarted. */
class ColdScriptRedis {
  loaded = false;
  pipelines: number[] = [];
  loads = 0;

  pipeline() {
    const calls: string[][] = [];
    const pipeline = {
      evalsha: (...args: (string | number)[]) => {
        calls.push(args.map(String));
        return pipeline;
      },
      exec: async () => {
        this.pipelines.push(calls.length);
        return calls.map((): [Error | null, unknown] =>
          this.loaded ? [null, 'billed'] : [new Error('NOSCRIPT No matching script. Please use EVAL.'), null],
        );
      },
    };
    return pipeline;
  }

  async script(command: string): Promise<string> {
    if (command === 'LOAD') {
      this.loads += 1;
      this.loaded = true;
    }
    return 'sha';
  }
}

describe('UsageControls.commitMany', () => {
  const input = (eventId: string): CommitInput => ({ tenantId: 't1', userId: null, eventId, reservationId: null, costNano: 5, occurredAt: new Date('2026-06-01T00:00:00Z') });

  it('loads the script and re-runs the calls a cold Redis refused with NOSCRIPT, in order', async () => {
    const redis = new ColdScriptRedis();
    const controls = new UsageControls(redis as unknown as Redis, { spendOf: async () => 0 }, { prefix: 'p', reservationTtlMs: 1_000, settledTtlMs: 1_000 });
    const results = await controls.commitMany([input('e1'), input('e2')]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'billed' },
      { status: 'fulfilled', value: 'billed' },
    ]);
    expect(redis.loads).toBe(1);
    expect(redis.pipelines).toEqual([2, 2]);
    // Warm: one pipeline, no load.
    await controls.commitMany([input('e3')]);
    expect(redis.pipelines).toEqual([2, 2, 1]);
    expect(redis.loads).toBe(1);
  });
});
