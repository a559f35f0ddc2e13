import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { UsageControls } from './redis/usage-controls';

/** A call's budget reservation, as the gateway made it and passed it on. */
export interface ReservationRef {
  tenantId: string;
  reservationId: string;
  /** For logs. */
  requestId: string;
}

/**
 * Ends budget reservations: `settle` with the actual cost when a call produced something (billing
 * later turns it into spend), `release` when it produced nothing. One owner ends each
 * reservation: the chat orchestrator for every call it received, the gateway only for a call it
 * could not deliver (see `apps/api-gateway/README.md` → "Usage, budgets and rate limits"). Only a
 * `held` reservation changes, so a second end is a no-op. Runs off the response path; shutdown
 * waits for what is in flight. A reservation nobody ends (a crash) expires on its own.
 */
@Injectable()
export class ReservationSettler implements OnApplicationShutdown {
  private readonly logger = new Logger(ReservationSettler.name);
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly controls: UsageControls) {}

  settle(reservation: ReservationRef, costNano: number, tokens: number): void {
    this.track(this.controls.settle(reservation.tenantId, reservation.reservationId, costNano, tokens), reservation, 'settle');
  }

  release(reservation: ReservationRef): void {
    this.track(this.controls.release(reservation.tenantId, reservation.reservationId), reservation, 'release');
  }

  /**
   * Releases, and resolves once the reservation is given back (or the release failed, logged), at
   * most after `waitMs`: an error answer then goes out with the budget already free, so a client
   * retrying at once is never refused by the hold of its own failed call.
   */
  async releaseNow(reservation: ReservationRef, waitMs = 1_000): Promise<void> {
    const released = this.track(this.controls.release(reservation.tenantId, reservation.reservationId), reservation, 'release');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([released, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs).unref()))]);
    clearTimeout(timer);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<unknown>, reservation: ReservationRef, action: string): Promise<unknown> {
    const tracked = work.catch((error: unknown) =>
      this.logger.warn(
        { err: error, reservation_id: reservation.reservationId, request_id: reservation.requestId },
        `could not ${action} budget reservation`,
      ),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return tracked;
  }
}
