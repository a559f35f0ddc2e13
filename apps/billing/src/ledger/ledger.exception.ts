/** Machine-readable codes of ledger failures (logged with the failed job). */
export const LedgerErrorCode = {
  /** The event's ledger statement failed (constraint, bad value, database unavailable, …). */
  WriteFailed: 'ledger_write_failed',
} as const;
export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

/**
 * One event could not be written to the ledger. The job fails with it (and is retried as usual);
 * `sqlState` is Postgres's SQLSTATE when the database refused the statement (e.g. `23503` for an
 * event of a tenant that does not exist).
 */
export class LedgerWriteError extends Error {
  override name = 'LedgerWriteError';
  readonly code: LedgerErrorCode = LedgerErrorCode.WriteFailed;

  constructor(
    readonly eventId: string,
    readonly sqlState: string | undefined,
    cause: unknown,
  ) {
    super(`${LedgerErrorCode.WriteFailed}: event ${eventId}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ${messageOf(cause)}`, { cause });
  }

  static of(eventId: string, cause: unknown): LedgerWriteError {
    return cause instanceof LedgerWriteError ? cause : new LedgerWriteError(eventId, sqlStateOf(cause), cause);
  }
}

/** The SQLSTATE of a node-postgres error, if it is one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
