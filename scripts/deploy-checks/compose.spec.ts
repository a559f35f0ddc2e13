import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  checkCompose,
  composeCliAvailable,
  composeConfig,
  imageProblem,
  interpolateDefaults,
  loadCompose,
  parseCompose,
  publishedPorts,
} from './compose';

const repoRoot = join(__dirname, '..', '..');
const composeFile = join(repoRoot, 'docker-compose.yml');
const APP_SERVICES = ['api-gateway', 'chat-orchestrator', 'ingestion-worker', 'eval-worker', 'billing'];

type Services = Record<string, Record<string, unknown>>;

/** A small compose file that passes every check; each test breaks one thing. */
function goodCompose(): { services: Services; volumes: Record<string, unknown> } {
  const healthy = { test: ['CMD', 'true'] };
  return {
    services: {
      postgres: { image: 'pgvector/pgvector:0.8.0-pg16', healthcheck: healthy, ports: ['5432:5432'], volumes: ['pg:/var/lib/postgresql/data'] },
      migrate: {
        build: { context: '.', target: 'migrate' },
        restart: 'no',
        environment: { DATABASE_URL: 'postgresql://x@postgres/x' },
        depends_on: { postgres: { condition: 'service_healthy' } },
      },
      api: {
        build: { context: '.' },
        image: 'conduit/api:${CONDUIT_VERSION:-dev}',
        environment: { DATABASE_URL: 'postgresql://x@postgres/x', PORT: '8080' },
        healthcheck: { test: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:8080/health')"] },
        ports: ['8080:8080'],
        depends_on: { migrate: { condition: 'service_completed_successfully' }, postgres: { condition: 'service_healthy' } },
      },
      'mock-llm': { build: { context: '.' }, profiles: ['dev'], healthcheck: healthy, ports: ['127.0.0.1:8090:8090'] },
    },
    volumes: { pg: {} },
  };
}

function problemsAfter(change: (c: ReturnType<typeof goodCompose>) => void): string[] {
  const compose = goodCompose();
  change(compose);
  return checkCompose(compose);
}

describe('compose checker', () => {
  it('accepts a well-formed file', () => {
    expect(checkCompose(goodCompose())).toEqual([]);
  });

  it('requires an image or a build for every service', () => {
    expect(problemsAfter((c) => delete c.services['mock-llm'].build)).toEqual(['mock-llm: has neither image nor build']);
  });

  it.each([
    ['redis:latest', /latest/],
    ['redis', /no tag/],
    ['conduit/api:${TAG}', /no tag/],
    ['registry:5000/redis', /no tag/],
  ])('rejects the image %s', (image, message) => {
    const problems = problemsAfter((c) => (c.services.postgres.image = image));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('accepts pinned, defaulted and digest image references', () => {
    expect(imageProblem('redis:7.4.2-alpine')).toBeUndefined();
    expect(imageProblem('conduit/api:${CONDUIT_VERSION:-dev}')).toBeUndefined();
    expect(imageProblem('redis@sha256:abc')).toBeUndefined();
    expect(interpolateDefaults('a:${X:-1.2}-${Y-z}$W')).toBe('a:1.2-z');
  });

  it('requires healthchecks on long-running services, not on one-shot ones', () => {
    expect(problemsAfter((c) => delete c.services.postgres.healthcheck)).toEqual(
      expect.arrayContaining([
        'postgres: long-running service without a healthcheck',
        'migrate: waits for postgres to be healthy, but postgres has no healthcheck',
      ]),
    );
    expect(problemsAfter((c) => (c.services['mock-llm'].healthcheck = { disable: true }))).toEqual([
      'mock-llm: long-running service without a healthcheck',
    ]);
  });

  it('rejects depends_on targets that do not exist or conditions compose does not know', () => {
    expect(problemsAfter((c) => (c.services.api.depends_on = { ...(c.services.api.depends_on as object), redis: { condition: 'service_healthy' } }))).toEqual([
      'api: depends_on unknown service redis',
    ]);
    expect(problemsAfter((c) => (c.services.api.depends_on = { ...(c.services.api.depends_on as object), postgres: { condition: 'healthy' } }))).toEqual([
      'api: depends_on postgres with unknown condition healthy',
    ]);
  });

  it('requires database users to wait for the migration to complete', () => {
    expect(problemsAfter((c) => (c.services.api.depends_on = { postgres: { condition: 'service_healthy' } }))).toEqual([
      'migrate: long-running service without a healthcheck',
      'api: uses DATABASE_URL but does not wait for migrate (condition: service_completed_successfully)',
    ]);
    expect(problemsAfter((c) => delete c.services.migrate)).toEqual(
      expect.arrayContaining(['api: depends_on unknown service migrate', 'no migrate service']),
    );
  });

  it('rejects a restarting migration service', () => {
    expect(problemsAfter((c) => (c.services.migrate.restart = 'unless-stopped'))).toEqual([
      'migrate: others wait for it to complete, but restart: unless-stopped keeps restarting it',
    ]);
  });

  it('keeps mock-llm in the dev profile only, and everything else in no profile', () => {
    expect(problemsAfter((c) => delete c.services['mock-llm'].profiles)).toEqual(['mock-llm: must run only in the dev profile (profiles: [dev])']);
    expect(problemsAfter((c) => (c.services['mock-llm'].profiles = ['dev', 'bench']))).toEqual([
      'mock-llm: must run only in the dev profile (profiles: [dev])',
    ]);
    expect(problemsAfter((c) => (c.services.postgres.profiles = ['infra']))).toEqual(
      expect.arrayContaining(['postgres: is in profile(s) infra, so a plain `docker compose up` skips it']),
    );
    expect(problemsAfter((c) => (c.services.api.depends_on = { ...(c.services.api.depends_on as object), 'mock-llm': { condition: 'service_healthy' } }))).toEqual([
      'api: depends_on mock-llm, which only runs in profile(s) dev',
    ]);
  });

  it('rejects two services publishing the same host port', () => {
    expect(problemsAfter((c) => (c.services['mock-llm'].ports = ['127.0.0.1:8080:8090']))).toEqual([
      'mock-llm: host port 8080/tcp is already published by api',
    ]);
    expect(publishedPorts({ ports: ['8080', '1.2.3.4:81:80/udp', { target: 80, published: 82 }] })).toEqual(['81/udp', '82/tcp']);
  });

  it('requires the healthcheck to call /health on the service PORT', () => {
    expect(problemsAfter((c) => ((c.services.api.environment as Record<string, string>).PORT = '9999'))).toEqual([
      'api: healthcheck does not call /health on its PORT 9999',
    ]);
  });

  it('requires named volumes to be declared', () => {
    expect(problemsAfter((c) => (c.volumes = {}))).toEqual(['postgres: uses volume pg, which is not declared under volumes']);
  });

  it('resolves YAML anchors and merge keys like compose does', () => {
    const doc = parseCompose(`
x-common: &common
  restart: unless-stopped
  healthcheck: {test: [CMD, "true"]}
services:
  a:
    <<: *common
    image: busybox:1.36
`) as { services: Services };
    expect(doc.services.a.restart).toBe('unless-stopped');
    expect(checkCompose(doc, { devOnly: [], migrationService: 'a' })).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  const compose = loadCompose(composeFile) as { services: Services };

  it('passes every structural check', () => {
    expect(checkCompose(compose)).toEqual([]);
  });

  it('runs the whole platform: infrastructure, observability, migrate and the services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...APP_SERVICES, 'mock-llm', 'migrate', 'postgres', 'redis', 'qdrant', 'jaeger', 'prometheus', 'grafana'].sort(),
    );
    expect(compose.services.postgres.image).toMatch(/^pgvector\/pgvector:/);
    expect((compose.services.redis.command as string[]).join(' ')).toContain('--appendonly yes');
    expect(compose.services.jaeger.environment).toMatchObject({ COLLECTOR_OTLP_ENABLED: 'true' });
    expect(compose.services.migrate.build).toMatchObject({ target: 'migrate' });
  });

  it('hardens every Conduit container like the Helm chart does', () => {
    for (const name of [...APP_SERVICES, 'mock-llm']) {
      const service = compose.services[name];
      expect({ name, read_only: service.read_only, tmpfs: service.tmpfs, cap_drop: service.cap_drop }).toEqual({
        name,
        read_only: true,
        tmpfs: ['/tmp'],
        cap_drop: ['ALL'],
      });
      expect(service.build).toMatchObject({ args: { SERVICE: name } });
    }
  });

  it('gives the gateway and the orchestrator the same internal token, as NODE_ENV=production requires', () => {
    const envOf = (name: string) => compose.services[name].environment as Record<string, string>;
    for (const name of ['api-gateway', 'chat-orchestrator']) {
      expect(envOf(name)).toMatchObject({ NODE_ENV: 'production', INTERNAL_TOKEN: expect.stringMatching(/^\$\{INTERNAL_TOKEN:-.{16,}\}$/) });
    }
    expect(envOf('api-gateway').INTERNAL_TOKEN).toBe(envOf('chat-orchestrator').INTERNAL_TOKEN);
  });

  it('is scraped by Prometheus: every service target matches its compose PORT and carries service/part_of', () => {
    const prometheus = parseYaml(readFileSync(join(repoRoot, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels: Record<string, string> }> }>;
    };
    const conduit = prometheus.scrape_configs.find((job) => job.job_name === 'conduit');
    const targets = new Map(conduit?.static_configs.map((c) => [c.labels.service, { target: c.targets[0], labels: c.labels }]));
    for (const name of APP_SERVICES) {
      const port = (compose.services[name].environment as Record<string, string>).PORT;
      expect(targets.get(name)).toEqual({ target: `${name}:${port}`, labels: { service: name, part_of: 'conduit' } });
    }
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(compose.services.prometheus.volumes).toContain('./deploy/prometheus/rules:/etc/prometheus/rules:ro');
  });

  it('provisions Grafana with the Prometheus data source and the Conduit dashboard', () => {
    const datasources = parseYaml(
      readFileSync(join(repoRoot, 'deploy', 'grafana', 'provisioning', 'datasources', 'datasources.yml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(datasources.datasources).toContainEqual(expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }));
    const providers = parseYaml(
      readFileSync(join(repoRoot, 'deploy', 'grafana', 'provisioning', 'dashboards', 'dashboards.yml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    expect(compose.services.grafana.volumes).toContain(`./deploy/grafana/dashboards:${providers.providers[0].options.path}:ro`);
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy', 'grafana', 'dashboards', 'conduit.json'), 'utf8')) as {
      title: string;
      uid: string;
      panels: Array<{ title: string; type: string }>;
    };
    expect(dashboard.title).toBe('Conduit');
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['request rate', 'p50 / p95 / p99', 'errors by status', 'queue depth', 'job duration', 'jobs by outcome', 'time to first token', 'tokens', 'cost']) {
      expect(titles).toContain(topic);
    }
  });

  const cli = composeCliAvailable();
  if (!cli) {
    console.warn('docker compose plugin not installed: skipping `docker compose config` (structural checks still ran)');
  }
  (cli ? it : it.skip)('is valid for `docker compose config`, with and without the dev profile', () => {
    for (const profiles of [[], ['dev']]) {
      const result = composeConfig(composeFile, profiles);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });
});
