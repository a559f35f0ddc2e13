/**
 * Base class of every module's exception: a stable machine-readable `code` from the module's own
 * enum, a message safe to show the caller, and optional details (`param`, structured context) and
 * response headers. It carries no HTTP status: each app maps codes to statuses in one table
 * ({@link ErrorStatusTable}), which the error filter reads.
 *
 * ```ts
 * export enum SessionsErrorCode { SessionNotFound = 'session_not_found' }
 * export class SessionsException extends ConduitException<SessionsErrorCode> {}
 * ```
 */
export abstract class ConduitException<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * An app's code → HTTP status table, complete for the codes `C` (a union of code enums); the
 * compiler refuses a missing or unknown code. Keys are the codes' strings, so two modules' codes of
 * the same name (`invalid_cursor`) share one entry.
 */
export type ErrorStatusTable<C extends string = string> = Readonly<Record<`${C}`, number>>;

/**
 * What is wrong with an app's table, for its spec: codes of `enums` without an error status
 * (4xx/5xx), and entries no enum has. Both empty for a sound table.
 */
export function checkErrorTable(enums: readonly Record<string, string>[], table: ErrorStatusTable): { missing: string[]; unknown: string[] } {
  const statuses = table as Record<string, number | undefined>;
  const codes = new Set(enums.flatMap((codeEnum) => Object.values(codeEnum)));
  const missing = [...codes].filter((code) => !Number.isInteger(statuses[code]) || (statuses[code] as number) < 400 || (statuses[code] as number) > 599);
  const unknown = Object.keys(table).filter((code) => !codes.has(code));
  return { missing, unknown };
}
