export const PROMPTS_OPTIONS = Symbol('PROMPTS_OPTIONS');

export interface PromptsModuleOptions {
  /** How long a template's labels may live in process without an announcement (a safety net). */
  cacheTtlMs: number;
}

/** The Redis channel that announces a changed template (message: `<tenant id>/<template name>`). */
export const promptChannel = (prefix: string) => `${prefix}:prompts:changed`;

/** Roles a template message may have. */
export const PROMPT_ROLES = ['system', 'developer', 'user', 'assistant'] as const;
