import { UnrecoverableError } from 'bullmq';
import { isFinalAttempt, isUnrecoverable } from './job-handler';

class Rejected extends UnrecoverableError {
  override name = 'Rejected';
}

describe('isFinalAttempt', () => {
  const job = (attemptsMade: number, attempts?: number) => ({ attemptsMade, opts: attempts === undefined ? {} : { attempts } });

  it('is final on the last attempt of the job, counted before BullMQ records the running one', () => {
    expect(isFinalAttempt(job(0, 3))).toBe(false);
    expect(isFinalAttempt(job(1, 3))).toBe(false);
    expect(isFinalAttempt(job(2, 3))).toBe(true);
    // A job without `attempts` runs once.
    expect(isFinalAttempt(job(0))).toBe(true);
  });

  it('is final at once for an unrecoverable error, subclasses and copies from another bullmq included', () => {
    expect(isFinalAttempt(job(0, 5), new UnrecoverableError('no'))).toBe(true);
    expect(isFinalAttempt(job(0, 5), new Rejected('no'))).toBe(true);
    expect(isFinalAttempt(job(0, 5), Object.assign(new Error('no'), { name: 'UnrecoverableError' }))).toBe(true);
    expect(isFinalAttempt(job(0, 5), new Error('try again'))).toBe(false);
    expect(isUnrecoverable('UnrecoverableError')).toBe(false);
  });
});
