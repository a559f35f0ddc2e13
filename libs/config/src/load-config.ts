import { z } from 'zod';

/** Raised when the environment does not satisfy a service's configuration schema. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Record<string, string | undefined>;

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const name = issue.path.map(String).join('.') || '(root)';
  const raw = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
  if (issue.path.length === 1 && (raw === undefined || raw === '')) {
    return `${name} is required but not set`;
  }
  return `${name} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
}

/**
 * Parses the process environment with a service's zod schema.
 * Empty strings count as unset so that `FOO=` behaves like a missing variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigValidationError(result.error.issues.map((issue) => describeIssue(issue, cleaned)));
  }
  return result.data;
}

/**
 * Loads configuration for a process entry point: on failure prints one line naming
 * every bad variable and exits with status 78 (EX_CONFIG).
 */
export function loadConfigOrExit<S extends z.ZodType>(service: string, schema: S): z.output<S> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
