import { ReservationSettler } from './reservation.settler';
import type { UsageControls } from './redis/usage-controls';

/** A release whose completion the test decides. */
function controlsWithPendingRelease() {
  let finish: () => void = () => undefined;
  const calls: string[] = [];
  const controls = {
    release: (_tenantId: string, reservationId: string) => {
      calls.push(reservationId);
      return new Promise<void>((resolve) => (finish = resolve));
    },
  } as unknown as UsageControls;
  return { controls, calls, finish: () => finish() };
}

const reservation = { tenantId: 't', reservationId: 'r-1', requestId: 'q-1' };

describe('ReservationSettler.releaseNow', () => {
  it('resolves only once the release is done, so an error answer goes out with the budget free', async () => {
    const { controls, calls, finish } = controlsWithPendingRelease();
    const settler = new ReservationSettler(controls);
    let resolved = false;
    const releasing = settler.releaseNow(reservation, 60_000).then(() => (resolved = true));
    await Promise.resolve();
    expect(calls).toEqual(['r-1']);
    expect(resolved).toBe(false);
    finish();
    await releasing;
    expect(resolved).toBe(true);
  });

  it('waits at most waitMs for a release that hangs, and still tracks it for shutdown', async () => {
    jest.useFakeTimers();
    try {
      const { controls, finish } = controlsWithPendingRelease();
      const settler = new ReservationSettler(controls);
      const releasing = settler.releaseNow(reservation, 500);
      jest.advanceTimersByTime(500);
      await releasing;
      let shutDown = false;
      const shutdown = settler.onApplicationShutdown().then(() => (shutDown = true));
      await Promise.resolve();
      expect(shutDown).toBe(false);
      finish();
      await shutdown;
      expect(shutDown).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('resolves when the release fails (the failure is logged, never thrown at the caller)', async () => {
    const controls = { release: () => Promise.reject(new Error('redis down')) } as unknown as UsageControls;
    await expect(new ReservationSettler(controls).releaseNow(reservation, 60_000)).resolves.toBeUndefined();
  });
});
