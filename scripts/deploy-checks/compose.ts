import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Structural checks of docker-compose.yml that need no Docker engine. `checkCompose` takes the
 * parsed file and returns one message per problem (empty when fine).
 */

type Json = Record<string, unknown>;

export interface ComposeCheckOptions {
  /** Services that must exist only in the `dev` profile. */
  devOnly?: string[];
  /** The one-shot migration service every database user must wait for. */
  migrationService?: string;
}

const DEFAULTS: Required<ComposeCheckOptions> = { devOnly: ['mock-llm'], migrationService: 'migrate' };
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

/** Parses compose YAML the way compose does: anchors, aliases and `<<` merge keys resolved. */
export function parseCompose(text: string): unknown {
  return parse(text, { merge: true, maxAliasCount: -1 });
}

export function loadCompose(path: string): unknown {
  return parseCompose(readFileSync(path, 'utf8'));
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replaces ${VAR:-default} / ${VAR-default} with the default; ${VAR} and $VAR with "" . */
export function interpolateDefaults(value: string): string {
  return value
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (_match, fallback: string | undefined) => fallback ?? '')
    .replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, '');
}

/** Problem with an image reference (no tag, `latest`, or a tag that depends on an unset variable). */
export function imageProblem(image: string): string | undefined {
  const resolved = interpolateDefaults(image);
  if (resolved.includes('@sha256:')) return undefined;
  const lastSlash = resolved.lastIndexOf('/');
  const lastColon = resolved.lastIndexOf(':');
  const tag = lastColon > lastSlash ? resolved.slice(lastColon + 1) : '';
  if (!tag) return `image "${image}" has no tag (or its tag comes from a variable without a default)`;
  if (tag === 'latest') return `image "${image}" uses the latest tag`;
  return undefined;
}

function dependsOn(service: Json): Map<string, string> {
  const deps = new Map<string, string>();
  const raw = service.depends_on;
  if (Array.isArray(raw)) raw.forEach((name) => deps.set(String(name), 'service_started'));
  else if (isObject(raw)) {
    for (const [name, spec] of Object.entries(raw)) {
      deps.set(name, isObject(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started');
    }
  }
  return deps;
}

function environment(service: Json): Map<string, string> {
  const env = new Map<string, string>();
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const [key, ...rest] = String(entry).split('=');
      env.set(key, rest.join('='));
    }
  } else if (isObject(raw)) {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null ? '' : String(value));
  }
  return env;
}

function hasHealthcheck(service: Json): boolean {
  const hc = service.healthcheck;
  if (!isObject(hc) || hc.disable === true) return false;
  const test = hc.test;
  if (Array.isArray(test)) return test.length > 0 && test[0] !== 'NONE';
  return typeof test === 'string' && test.trim() !== '';
}

function healthcheckText(service: Json): string {
  const test = isObject(service.healthcheck) ? service.healthcheck.test : undefined;
  return Array.isArray(test) ? test.join(' ') : String(test ?? '');
}

/** Host side of each published port, as "port/protocol". */
export function publishedPorts(service: Json): string[] {
  const out: string[] = [];
  const ports = Array.isArray(service.ports) ? service.ports : [];
  for (const entry of ports) {
    if (isObject(entry)) {
      if (entry.published !== undefined) out.push(`${String(entry.published)}/${String(entry.protocol ?? 'tcp')}`);
      continue;
    }
    const [spec, protocol = 'tcp'] = String(entry).split('/');
    const parts = spec.split(':');
    // "container" alone publishes on a random host port; otherwise host port is second to last.
    if (parts.length >= 2) out.push(`${parts[parts.length - 2]}/${protocol}`);
  }
  return out;
}

function profiles(service: Json): string[] {
  return Array.isArray(service.profiles) ? service.profiles.map(String) : [];
}

/** Returns every problem found in a parsed compose file. */
export function checkCompose(doc: unknown, options: ComposeCheckOptions = {}): string[] {
  const { devOnly, migrationService } = { ...DEFAULTS, ...options };
  const problems: string[] = [];
  const services = isObject(doc) && isObject(doc.services) ? (doc.services as Record<string, unknown>) : undefined;
  if (!services || Object.keys(services).length === 0) return ['no services defined'];

  const all = new Map<string, Json>();
  for (const [name, value] of Object.entries(services)) {
    if (!isObject(value)) problems.push(`${name}: not a mapping`);
    else all.set(name, value);
  }

  // One-shot services: those others wait on with service_completed_successfully.
  const oneShot = new Set<string>();
  for (const service of all.values()) {
    for (const [dep, condition] of dependsOn(service)) if (condition === 'service_completed_successfully') oneShot.add(dep);
  }

  const portOwners = new Map<string, string>();
  const topVolumes = isObject(doc) && isObject(doc.volumes) ? Object.keys(doc.volumes) : [];

  for (const [name, service] of all) {
    const image = typeof service.image === 'string' ? service.image : undefined;
    if (!image && service.build === undefined) problems.push(`${name}: has neither image nor build`);
    if (image) {
      const problem = imageProblem(image);
      if (problem) problems.push(`${name}: ${problem}`);
    }

    if (oneShot.has(name)) {
      const restart = String(service.restart ?? 'no');
      if (restart === 'always' || restart === 'unless-stopped') {
        problems.push(`${name}: others wait for it to complete, but restart: ${restart} keeps restarting it`);
      }
    } else if (!hasHealthcheck(service)) {
      problems.push(`${name}: long-running service without a healthcheck`);
    }

    for (const [dep, condition] of dependsOn(service)) {
      const target = all.get(dep);
      if (!CONDITIONS.has(condition)) problems.push(`${name}: depends_on ${dep} with unknown condition ${condition}`);
      if (!target) {
        problems.push(`${name}: depends_on unknown service ${dep}`);
        continue;
      }
      if (condition === 'service_healthy' && !hasHealthcheck(target)) {
        problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
      const targetProfiles = profiles(target);
      if (targetProfiles.length > 0 && !targetProfiles.every((p) => profiles(service).includes(p))) {
        problems.push(`${name}: depends_on ${dep}, which only runs in profile(s) ${targetProfiles.join(', ')}`);
      }
    }

    const env = environment(service);
    if (name !== migrationService && env.has('DATABASE_URL')) {
      if (!all.has(migrationService)) problems.push(`${name}: uses DATABASE_URL but there is no ${migrationService} service`);
      else if (dependsOn(service).get(migrationService) !== 'service_completed_successfully') {
        problems.push(`${name}: uses DATABASE_URL but does not wait for ${migrationService} (condition: service_completed_successfully)`);
      }
    }

    const port = env.get('PORT');
    if (port && hasHealthcheck(service) && !healthcheckText(service).includes(`:${port}/health`)) {
      problems.push(`${name}: healthcheck does not call /health on its PORT ${port}`);
    }

    if (devOnly.includes(name)) {
      const p = profiles(service);
      if (p.length !== 1 || p[0] !== 'dev') problems.push(`${name}: must run only in the dev profile (profiles: [dev])`);
    } else if (profiles(service).length > 0) {
      problems.push(`${name}: is in profile(s) ${profiles(service).join(', ')}, so a plain \`docker compose up\` skips it`);
    }

    for (const hostPort of publishedPorts(service)) {
      const owner = portOwners.get(hostPort);
      if (owner) problems.push(`${name}: host port ${hostPort} is already published by ${owner}`);
      else portOwners.set(hostPort, name);
    }

    for (const volume of Array.isArray(service.volumes) ? service.volumes : []) {
      const source = isObject(volume) ? String(volume.source ?? '') : String(volume).split(':')[0];
      const named = source !== '' && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~');
      if (named && (isObject(volume) ? volume.type === 'volume' || volume.type === undefined : String(volume).includes(':'))) {
        if (!topVolumes.includes(source)) problems.push(`${name}: uses volume ${source}, which is not declared under volumes`);
      }
    }
  }

  if (!all.has(migrationService)) problems.push(`no ${migrationService} service`);
  for (const name of devOnly) if (!all.has(name)) problems.push(`no ${name} service`);
  return problems;
}

/** The docker compose v2 CLI, when the plugin is installed (it needs no engine for `config`). */
export function composeCliAvailable(): boolean {
  const result = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  return !result.error && result.status === 0;
}

/** `docker compose config --quiet` on a file: compose's own schema and interpolation check. */
export function composeConfig(file: string, profiles: string[] = []): { status: number; stderr: string } {
  const args = ['compose', '-f', file, ...profiles.flatMap((p) => ['--profile', p]), 'config', '--quiet'];
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  return { status: result.status ?? 1, stderr: result.stderr ?? String(result.error) };
}
