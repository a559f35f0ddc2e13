export const POLICIES_OPTIONS = Symbol('POLICIES_OPTIONS');

export interface PoliciesModuleOptions {
  /** How long a resolved policy may live in process without an announcement (a safety net). */
  cacheTtlMs: number;
}

/** The Redis channel that announces a changed tenant policy (message: the tenant id). */
export const policyChannel = (prefix: string) => `${prefix}:policies:changed`;
