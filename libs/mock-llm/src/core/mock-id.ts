import { randomBytes } from 'node:crypto';

/**
 * Cheap unique ids: a random per-server prefix plus a counter, so ids differ across restarts
 * and concurrent servers without a random draw per request.
 */
export class MockIdGenerator {
  private readonly prefix = randomBytes(6).toString('hex');
  private sequence = 0;

  next(): string {
    this.sequence++;
    return `${this.prefix}${this.sequence.toString(36).padStart(8, '0')}`;
  }
}
