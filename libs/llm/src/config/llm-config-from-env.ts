import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigValidationError, loadConfig, secret } from '@conduit/config';
import { describeIssues, llmConfigShapeSchema, parseLlmConfig, type LlmConfig } from './llm.config';
import { DEFAULT_PROVIDERS } from './llm-config.defaults';

export const llmEnvSchema = z.object({
  ANTHROPIC_API_KEY: secret(z.string().min(1).optional()),
  ANTHROPIC_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: secret(z.string().min(1).optional()),
  OPENAI_BASE_URL: z.url().optional(),
  /** Default per-attempt timeout for providers that do not set their own. */
  LLM_TIMEOUT_MS: z.coerce.number().pipe(z.int().min(1).max(3_600_000)).optional(),
  /** Default retries per target for providers that do not set their own. */
  LLM_MAX_RETRIES: z.coerce.number().pipe(z.int().min(0).max(10)).optional(),
  /** JSON file with the full configuration (extra providers, routes, retry and breaker settings). */
  LLM_CONFIG_FILE: z.string().min(1).optional(),
});

type Env = Record<string, string | undefined>;
type RawProvider = Record<string, unknown> & { name: string };
type RawConfig = Record<string, unknown> & { providers?: RawProvider[] };

function readConfigFile(path: string, readFile: (path: string) => string): RawConfig {
  const where = `LLM_CONFIG_FILE (${path})`;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigValidationError([`${where}: cannot read the file${typeof code === 'string' ? ` (${code})` : ''}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigValidationError([`${where}: not valid JSON: ${(error as Error).message}`]);
  }
  const shape = llmConfigShapeSchema.safeParse(raw);
  if (!shape.success) throw new ConfigValidationError(describeIssues(shape.error, `${where}: `));
  const config = raw as RawConfig;
  const seen = new Set<string>();
  (config.providers ?? []).forEach((provider, index) => {
    if (seen.has(provider.name)) {
      throw new ConfigValidationError([`${where}: providers[${index}].name: duplicate provider name "${provider.name}"`]);
    }
    seen.add(provider.name);
  });
  return config;
}

/** Built-in providers, overlaid by the file's providers of the same name; new names appended. */
function mergeProviders(fileProviders: RawProvider[]): RawProvider[] {
  const merged: RawProvider[] = DEFAULT_PROVIDERS.map((p) => ({ ...p }));
  for (const provider of fileProviders) {
    const index = merged.findIndex((p) => p.name === provider.name);
    if (index === -1) merged.push({ ...provider });
    else merged[index] = { ...merged[index], ...provider };
  }
  return merged;
}

/**
 * Builds the LLM configuration from the environment: built-in providers and routes, overlaid by
 * `LLM_CONFIG_FILE` (providers merged by name), then by the variables: `ANTHROPIC_API_KEY`,
 * `ANTHROPIC_BASE_URL`, `OPENAI_API_KEY`, `OPENAI_BASE_URL` set the built-in providers' key and
 * URL; `LLM_TIMEOUT_MS` and `LLM_MAX_RETRIES` are the defaults for providers that set none; a
 * provider's `apiKeyEnv` names the variable holding its key. Throws {@link ConfigValidationError}
 * naming every bad variable or file field.
 */
export function llmConfigFromEnv(
  env: Env = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): LlmConfig {
  const vars = loadConfig(llmEnvSchema, env);
  const file = vars.LLM_CONFIG_FILE === undefined ? {} : readConfigFile(vars.LLM_CONFIG_FILE, readFile);
  const providers = mergeProviders(file.providers ?? []).map((provider) => {
    const next: RawProvider = { ...provider };
    if (next.name === 'anthropic') {
      if (vars.ANTHROPIC_API_KEY !== undefined) next['apiKey'] = vars.ANTHROPIC_API_KEY;
      if (vars.ANTHROPIC_BASE_URL !== undefined) next['baseURL'] = vars.ANTHROPIC_BASE_URL;
    }
    if (next.name === 'openai') {
      if (vars.OPENAI_API_KEY !== undefined) next['apiKey'] = vars.OPENAI_API_KEY;
      if (vars.OPENAI_BASE_URL !== undefined) next['baseURL'] = vars.OPENAI_BASE_URL;
    }
    const keyVariable = next['apiKeyEnv'];
    if (next['apiKey'] === undefined && typeof keyVariable === 'string' && env[keyVariable]) next['apiKey'] = env[keyVariable];
    if (next['timeoutMs'] === undefined && vars.LLM_TIMEOUT_MS !== undefined) next['timeoutMs'] = vars.LLM_TIMEOUT_MS;
    if (next['maxRetries'] === undefined && vars.LLM_MAX_RETRIES !== undefined) next['maxRetries'] = vars.LLM_MAX_RETRIES;
    return next;
  });
  const prefix = vars.LLM_CONFIG_FILE === undefined ? '' : `LLM_CONFIG_FILE (${vars.LLM_CONFIG_FILE}): `;
  return parseLlmConfig({ ...file, providers } as Parameters<typeof parseLlmConfig>[0], prefix);
}
