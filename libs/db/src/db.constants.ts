/** Options of {@link DbModule.forRoot}. */
export interface DbModuleOptions {
  /** postgresql:// connection URL (`?schema=` selects a non-default schema). */
  url: string;
  /** Maximum number of pooled connections (pg `max`). Default 10. */
  poolSize?: number;
  /** How long to wait for a new connection before failing a query. Default 5000 ms. */
  connectionTimeoutMs?: number;
  /** Reported to Postgres as application_name (visible in pg_stat_activity). */
  applicationName?: string;
}

export const DB_OPTIONS = Symbol('DB_OPTIONS');
