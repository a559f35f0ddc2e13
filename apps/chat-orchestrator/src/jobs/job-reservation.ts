import type { ReservationRef, ReservationSettler } from '@conduit/budget';
import type { Job } from '@conduit/db';
import { jobIds } from '@conduit/jobs';

/** The budget reservation the gateway made when `job` was submitted (its id is derived from the job id). */
export function jobReservation(job: Pick<Job, 'id' | 'tenantId' | 'requestId'>): ReservationRef {
  return { tenantId: job.tenantId, reservationId: jobIds.reservation(job.id), requestId: job.requestId ?? job.id };
}

/**
 * Ends the reservation of a job that just reached a terminal status. Whoever moves a job to its
 * terminal status (the finish that returned the row) ends it: the runner, the reconciler, or the
 * gateway's cancel. A `chat.completion` settled it with the turn's cost when its answer arrived,
 * so this release is then a no-op; a batch's requests are billed one by one, and the batch's
 * worst case is given back here.
 */
export function endJobReservation(settler: ReservationSettler, job: Pick<Job, 'id' | 'tenantId' | 'requestId'>): void {
  settler.release(jobReservation(job));
}
