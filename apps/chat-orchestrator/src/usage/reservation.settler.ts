import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { UsageControls } from '@conduit/budget';

export interface ReservationOwner {
  tenantId: string;
  reservationId?: string | null;
  requestId: string;
}

/**
 * Ends the gateway's budget reservation of a call: `settle` with the actual cost when the turn is
 * recorded (billing later turns it into spend), `release` when the call failed before producing
 * anything. Runs off the response path; shutdown waits for what is in flight. A reservation that
 * is never ended (crash) expires on its own.
 */
@Injectable()
export class ReservationSettler implements OnApplicationShutdown {
  private readonly logger = new Logger(ReservationSettler.name);
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly controls: UsageControls) {}

  settle(owner: ReservationOwner, costNano: number, tokens: number): void {
    if (!owner.reservationId) return;
    this.track(this.controls.settle(owner.tenantId, owner.reservationId, costNano, tokens), owner, 'settle');
  }

  release(owner: ReservationOwner): void {
    if (!owner.reservationId) return;
    this.track(this.controls.release(owner.tenantId, owner.reservationId), owner, 'release');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<unknown>, owner: ReservationOwner, action: string): void {
    const tracked = work.catch((error: unknown) =>
      this.logger.warn({ err: error, reservation_id: owner.reservationId, request_id: owner.requestId }, `could not ${action} budget reservation`),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
