import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fullValuesFile, renderChart, repoRoot, stageChart, type StagedChart } from './chart';
import { chartEnvNames, compareEnv, envNamesInSource, envReads, NOT_FOR_THE_CHART, PASSTHROUGH_ONLY, type ChartEnv } from './env-parity';
import { parseManifests } from './manifest-invariants';

function union(...envs: ChartEnv[]): ChartEnv {
  const merge = (key: keyof ChartEnv) => new Set(envs.flatMap((env) => [...env[key]]));
  return { config: merge('config'), secret: merge('secret'), container: merge('container') };
}

describe('env parity: every variable a service reads can be set by the chart', () => {
  let chart: StagedChart;
  let rendered: ChartEnv;
  const reads = envReads();

  beforeAll(() => {
    chart = stageChart();
    // Full values turn every optional setting on; Redis Cluster is rendered apart (full values use Sentinel).
    rendered = union(
      chartEnvNames(parseManifests(renderChart(chart.dir, { valuesFiles: [fullValuesFile] }))),
      chartEnvNames(
        parseManifests(renderChart(chart.dir, { set: { 'config.redis.mode': 'cluster', 'config.redis.clusterNodes': '{r-0:6379}' } })),
      ),
    );
  });
  afterAll(() => chart.cleanup());

  it('finds the services’ variables (the parser still works on the config sources)', () => {
    const names = reads.map((read) => read.name);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_MODE', 'RESPONSE_CACHE_REDIS_URL', 'EVAL_READY_MAX_AGE_S', 'POLICY_CACHE_TTL_MS', 'OTEL_SDK_DISABLED']));
    expect(names.length).toBeGreaterThan(80);
    const secrets = reads.filter((read) => read.secret).map((read) => read.name);
    expect(secrets).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'REDIS_SENTINEL_PASSWORD', 'RESPONSE_CACHE_DATABASE_URL', 'INTERNAL_TOKEN']));
    expect(secrets).not.toContain('REDIS_MODE');
  });

  it('names each one in the chart, or lists it as a passthrough knob or not-for-deployment', () => {
    const problems = compareEnv(reads, rendered);
    expect(problems.unset).toEqual([]);
    expect(problems.staleAllowList).toEqual([]);
  });

  it('carries every secret(...) variable in the Secret, and none in the ConfigMap or a literal env', () => {
    const problems = compareEnv(reads, rendered);
    expect(problems.secretsNotInSecret).toEqual([]);
    expect(problems.secretsInPlainConfig).toEqual([]);
  });

  it('accepts every passthrough knob in config.extraEnv (none looks like a secret)', () => {
    const set = Object.fromEntries([...PASSTHROUGH_ONLY].map((name) => [`config.extraEnv.${name}`, '1']));
    const config = chartEnvNames(parseManifests(renderChart(chart.dir, { set }))).config;
    expect([...PASSTHROUGH_ONLY].filter((name) => !config.has(name))).toEqual([]);
    expect(reads.filter((read) => read.secret && PASSTHROUGH_ONLY.has(read.name))).toEqual([]);
  });

  it('documents every secret key of the chart for an existingSecret', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'deployment.md'), 'utf8');
    const values = readFileSync(join(repoRoot, 'helm', 'conduit', 'values.yaml'), 'utf8');
    const secretNames = reads.filter((read) => read.secret).map((read) => read.name);
    expect(secretNames.filter((name) => !docs.includes(name))).toEqual([]);
    expect(secretNames.filter((name) => name !== 'DATABASE_URL' && name !== 'REDIS_URL' && !values.includes(name))).toEqual([]);
  });
});

describe('env parity checker', () => {
  it('reads zod schema keys, secret(...) marks and process.env, and skips comments', () => {
    const source = [
      "import { z } from 'zod';",
      'export const env = {',
      '  /** NOT_THIS: a comment */',
      '  // ALSO_NOT: x',
      '  NEW_SETTING_MS: z.coerce.number().default(5),',
      "  NEW_SECRET_URL: secret(z.string()).optional(),",
      '};',
      'const inline = z.object({ ...baseEnv, PORT: port(1) });',
      "const x = process.env.DIRECT_READ ?? process.env['BRACKET_READ'];",
    ].join('\n');
    expect([...envNamesInSource(source)]).toEqual([
      ['NEW_SETTING_MS', false],
      ['NEW_SECRET_URL', true],
      ['PORT', false],
      ['DIRECT_READ', false],
      ['BRACKET_READ', false],
    ]);
    expect([...envNamesInSource('const QUEUES = { JOBS: "jobs" };')]).toEqual([]);
  });

  it('fails on a variable the chart cannot set, and on a secret outside the Secret', () => {
    const chart: ChartEnv = { config: new Set(['A_SETTING', 'LEAKED_URL']), secret: new Set(['DATABASE_URL']), container: new Set() };
    const problems = compareEnv(
      [
        { name: 'A_SETTING', secret: false, files: [] },
        { name: 'FORGOTTEN_MS', secret: false, files: [] },
        { name: 'DATABASE_URL', secret: true, files: [] },
        { name: 'LEAKED_URL', secret: true, files: [] },
        { name: 'WEBHOOK_ALLOW_HTTP', secret: false, files: [] },
      ],
      chart,
    );
    expect(problems.unset).toEqual(['FORGOTTEN_MS']);
    expect(problems.secretsNotInSecret).toEqual(['LEAKED_URL']);
    expect(problems.secretsInPlainConfig).toEqual(['LEAKED_URL']);
    expect(problems.staleAllowList).toEqual(expect.arrayContaining(['MOCK_LLM_REPLY']));
    expect(problems.staleAllowList).not.toContain('WEBHOOK_ALLOW_HTTP');
    expect(Object.keys(NOT_FOR_THE_CHART)).toContain('WEBHOOK_ALLOW_HTTP');
  });
});
