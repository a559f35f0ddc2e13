import { CircuitBreaker, type BreakerPermit, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker';

class FakeClock {
  constructor(public time = 1_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

function setup(overrides: Partial<CircuitBreakerOptions> = {}) {
  const clock = new FakeClock();
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    windowMs: 10_000,
    buckets: 10,
    failureThreshold: 0.5,
    minRequests: 4,
    openMs: 5_000,
    clock,
    onStateChange: (from: BreakerState, to: BreakerState) => transitions.push(`${from}->${to}`),
    ...overrides,
  });
  const permit = (): BreakerPermit => {
    const granted = breaker.acquire();
    if (granted === null) throw new Error('expected a permit');
    return granted;
  };
  const call = (outcome: 'success' | 'failure' | 'release') => permit()[outcome]();
  return { clock, breaker, transitions, call, permit };
}

describe('CircuitBreaker', () => {
  it('stays closed below minRequests even when everything fails', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 3; i++) call('failure');
    expect(breaker.state()).toBe('closed');
    expect(breaker.stats()).toEqual({ requests: 3, failures: 3 });
  });

  it('opens once the failure ratio reaches the threshold with enough requests', () => {
    const { breaker, call, transitions } = setup();
    call('success');
    call('success');
    call('failure');
    expect(breaker.state()).toBe('closed');
    call('failure');
    expect(breaker.state()).toBe('open');
    expect(transitions).toEqual(['closed->open']);
  });

  it('stays closed while the ratio is below the threshold', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 6; i++) call('success');
    for (let i = 0; i < 5; i++) call('failure');
    expect(breaker.state()).toBe('closed');
  });

  it('does not count released permits (invalid requests, cancellations)', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 10; i++) call('release');
    call('failure');
    expect(breaker.stats()).toEqual({ requests: 1, failures: 1 });
    expect(breaker.state()).toBe('closed');
  });

  it('forgets failures that rolled out of the window', () => {
    const { breaker, call, clock } = setup();
    call('failure');
    call('failure');
    call('failure');
    clock.advance(10_001);
    call('failure');
    expect(breaker.stats()).toEqual({ requests: 1, failures: 1 });
    expect(breaker.state()).toBe('closed');
  });

  it('keeps failures from different buckets of the window', () => {
    const { breaker, call, clock } = setup();
    call('failure');
    clock.advance(3_000);
    call('failure');
    clock.advance(3_000);
    call('failure');
    clock.advance(3_000);
    call('failure');
    expect(breaker.state()).toBe('open');
  });

  it('fails fast while open and reports the time left', () => {
    const { breaker, call, clock } = setup();
    for (let i = 0; i < 4; i++) call('failure');
    expect(breaker.acquire()).toBeNull();
    clock.advance(2_000);
    expect(breaker.acquire()).toBeNull();
    expect(breaker.retryAfterMs()).toBe(3_000);
  });

  describe('half-open', () => {
    function openThenWait() {
      const context = setup();
      for (let i = 0; i < 4; i++) context.call('failure');
      context.clock.advance(5_000);
      return context;
    }

    it('reports half_open once openMs elapsed and lets exactly one probe through', () => {
      const { breaker } = openThenWait();
      expect(breaker.state()).toBe('half_open');
      const probe = breaker.acquire();
      expect(probe?.probe).toBe(true);
      expect(breaker.acquire()).toBeNull();
      expect(breaker.acquire()).toBeNull();
    });

    it('closes with a fresh window when the probe succeeds', () => {
      const { breaker, transitions } = openThenWait();
      breaker.acquire()?.success();
      expect(breaker.state()).toBe('closed');
      expect(breaker.stats()).toEqual({ requests: 0, failures: 0 });
      expect(breaker.acquire()?.probe).toBe(false);
      expect(transitions).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
    });

    it('re-opens for another openMs when the probe fails', () => {
      const { breaker, clock } = openThenWait();
      breaker.acquire()?.failure();
      expect(breaker.state()).toBe('open');
      expect(breaker.acquire()).toBeNull();
      clock.advance(4_999);
      expect(breaker.acquire()).toBeNull();
      clock.advance(1);
      expect(breaker.acquire()?.probe).toBe(true);
    });

    it('lets the next caller probe when the probe ends without a verdict', () => {
      const { breaker } = openThenWait();
      breaker.acquire()?.release();
      expect(breaker.state()).toBe('half_open');
      const next = breaker.acquire();
      expect(next?.probe).toBe(true);
      next?.success();
      expect(breaker.state()).toBe('closed');
    });
  });

  it('ignores late results of calls admitted before the breaker opened', () => {
    const { breaker, call, clock, permit } = setup();
    const late = [permit(), permit()];
    for (let i = 0; i < 4; i++) call('failure');
    expect(breaker.state()).toBe('open');
    clock.advance(5_000);
    const probe = permit();
    late[0].success();
    late[1].failure();
    expect(breaker.state()).toBe('half_open');
    probe.success();
    expect(breaker.state()).toBe('closed');
  });

  it('settles a permit only once', () => {
    const { breaker, permit } = setup({ minRequests: 1 });
    const once = permit();
    once.success();
    once.failure();
    expect(breaker.stats()).toEqual({ requests: 1, failures: 0 });
  });

  it('counts late failures (stream broken after its first token) while closed', () => {
    const { breaker, call } = setup();
    call('success');
    call('success');
    breaker.recordLateFailure();
    breaker.recordLateFailure();
    expect(breaker.state()).toBe('open');
  });
});
