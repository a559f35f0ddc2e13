import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  chartDir,
  fullValuesFile,
  k8sValuesFile,
  lintChart,
  renderChart,
  repoRoot,
  stageChart,
  templateChart,
  type RenderOptions,
  type StagedChart,
} from './chart';
import { QueueName } from '../../libs/contracts/src/queues';
import { parseManifests, type K8sObject } from './manifest-invariants';

type Json = Record<string, unknown>;
const SERVICES = ['api-gateway', 'billing', 'chat-orchestrator', 'eval-worker', 'ingestion-worker'];

function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

/** Follows a path of keys and array indexes through plain data. */
function at(value: unknown, ...path: Array<string | number>): unknown {
  let node: unknown = value;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

function podSpec(o: K8sObject): Json {
  return at(o, 'spec', 'template', 'spec') as Json;
}

function mainContainer(o: K8sObject): Json {
  return at(podSpec(o), 'containers', 0) as Json;
}

describe('helm/conduit chart', () => {
  let chart: StagedChart;
  const render = (options: RenderOptions = {}) => parseManifests(renderChart(chart.dir, options));

  beforeAll(() => {
    chart = stageChart();
  });
  afterAll(() => chart.cleanup());

  describe('Qdrant dependency', () => {
    it('is declared with its condition and the official repository', () => {
      const chartYaml = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies: Json[] };
      expect(chartYaml.dependencies).toContainEqual(
        expect.objectContaining({ name: 'qdrant', condition: 'qdrant.enabled', repository: 'https://qdrant.github.io/qdrant-helm' }),
      );
    });

    const vendored = existsSync(join(chartDir, 'charts')) && readdirSync(join(chartDir, 'charts')).some((f) => f.startsWith('qdrant'));

    (vendored ? it.skip : it)('is why the checks stage the chart: helm refuses it un-vendored even when disabled', () => {
      const result = lintChart(chartDir);
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/missing.*qdrant/);
      expect(chart.removed).toEqual(['qdrant']);
    });
  });

  describe('lint and template', () => {
    it.each([
      ['default values', []],
      ['full values', [fullValuesFile]],
      ['k8s/ values', [k8sValuesFile]],
    ])('helm lint --strict passes with %s', (_label, valuesFiles) => {
      const result = lintChart(chart.dir, { valuesFiles });
      expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
      expect(result.status).toBe(0);
    });

    it('renders with default values: the five services, no mock-llm, no optional objects', () => {
      const objects = render();
      expect(byKind(objects, 'Deployment').map((d) => d.metadata?.name).sort()).toEqual(SERVICES.map((s) => `conduit-${s}`));
      for (const kind of ['Ingress', 'ServiceMonitor', 'PrometheusRule', 'Job']) expect(byKind(objects, kind)).toEqual([]);
      expect(byKind(objects, 'Service')).toHaveLength(5);
      expect(byKind(objects, 'NetworkPolicy')).toHaveLength(5);
    });

    it('renders with full values: every optional object is present', () => {
      const objects = render({ valuesFiles: [fullValuesFile], release: 'conduit-full' });
      expect(byKind(objects, 'Deployment')).toHaveLength(6);
      expect(named(objects, 'Deployment', 'conduit-full-mock-llm')).toBeDefined();
      for (const kind of ['Ingress', 'ServiceMonitor', 'PrometheusRule', 'Job']) expect(byKind(objects, kind)).toHaveLength(1);
      expect(byKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(5);
    });
  });

  describe('values.schema.json rejects bad values', () => {
    it.each([
      ['a negative replica count', { 'services.billing.replicaCount': '-1' }, /replicaCount/],
      ['an unknown global tier', { tier: 'huge' }, /tier/],
      ['an unknown service tier', { 'services.api-gateway.tier': 'xl' }, /tier/],
      ['the latest image tag', { 'image.tag': 'latest' }, /image[./]tag/],
      ['an unknown vector store', { 'config.vectorStore': 'milvus' }, /vectorStore/],
      ['a non-postgres database URL', { 'secrets.databaseUrl': 'mysql://db/app' }, /databaseUrl/],
      ['a misspelt top-level key', { replicas: '3' }, /replicas/],
      ['a misspelt service key', { 'services.billing.replicas': '3' }, /replicas/],
      ['an unknown service', { 'services.frontend.enabled': 'true' }, /frontend/],
      ['a CPU target above 100%', { 'services.api-gateway.autoscaling.targetCPUUtilizationPercentage': '150' }, /targetCPU/],
      ['a writable root filesystem', { 'securityContext.readOnlyRootFilesystem': 'false' }, /readOnlyRootFilesystem/],
      ['running as root', { 'podSecurityContext.runAsNonRoot': 'false' }, /runAsNonRoot/],
      ['a port out of range', { 'services.billing.port': '70000' }, /port/],
      ['an unknown queue-depth metric type', { 'services.eval-worker.autoscaling.queueDepth.type': 'Object' }, /type/],
    ])('%s', (_label, set, message) => {
      const result = templateChart(chart.dir, { set });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/schema/);
      expect(result.stderr).toMatch(message);
    });

    it('requires the queue settings once queue-depth autoscaling is on', () => {
      const result = templateChart(chart.dir, {
        set: { 'services.api-gateway.autoscaling.queueDepth.enabled': 'true' },
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/queue/);
    });
  });

  describe('template guards', () => {
    it.each([
      ['config.extraEnv.MY_API_KEY', /MY_API_KEY looks like a secret/],
      ['services.billing.env.DB_PASSWORD', /DB_PASSWORD looks like a secret/],
      ['config.extraEnv.DATABASE_URL', /DATABASE_URL looks like a secret/],
      ['config.extraEnv.RESPONSE_CACHE_REDIS_URL', /RESPONSE_CACHE_REDIS_URL looks like a secret/],
      ['services.eval-worker.env.GITHUB_TOKEN', /GITHUB_TOKEN looks like a secret/],
    ])('refuses the secret-looking plain setting %s', (key, message) => {
      const result = templateChart(chart.dir, { set: { [key]: 'x' } });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(message);
    });

    it('accepts token counts, which are not secrets (MAX_TOKENS_LIMIT, CHUNK_TOKENS)', () => {
      const result = templateChart(chart.dir, { set: { 'config.extraEnv.MAX_TOKENS_LIMIT': '8192', 'services.ingestion-worker.env.CHUNK_TOKENS': '256' } });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('refuses minReplicas above maxReplicas', () => {
      const result = templateChart(chart.dir, {
        set: { 'services.api-gateway.autoscaling.minReplicas': '5', 'services.api-gateway.autoscaling.maxReplicas': '2' },
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/minReplicas/);
    });
  });

  describe('workloads', () => {
    it('give every service liveness on /health, readiness on /health/ready, its port and a /tmp emptyDir', () => {
      const objects = render({ valuesFiles: [fullValuesFile] });
      const ports: Record<string, number> = {
        'api-gateway': 8080,
        'chat-orchestrator': 8081,
        'ingestion-worker': 8082,
        'eval-worker': 8083,
        billing: 8084,
        'mock-llm': 8090,
      };
      for (const deployment of byKind(objects, 'Deployment')) {
        const component = deployment.metadata?.labels?.['app.kubernetes.io/component'] as string;
        const container = mainContainer(deployment);
        expect(at(container, 'livenessProbe', 'httpGet', 'path')).toBe('/health');
        expect(at(container, 'readinessProbe', 'httpGet', 'path')).toBe('/health/ready');
        expect(at(container, 'ports', 0, 'containerPort')).toBe(ports[component]);
        expect(at(container, 'env')).toContainEqual({ name: 'PORT', value: String(ports[component]) });
        expect(at(container, 'image')).toBe(`registry.example.com/conduit/conduit-${component}:0.1.0-ci`);
        expect(at(container, 'volumeMounts')).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        expect(at(podSpec(deployment), 'volumes')).toContainEqual(expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) }));
        expect(at(podSpec(deployment), 'securityContext')).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(at(container, 'securityContext')).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    });

    it('size containers by tier, with explicit resources layered on top', () => {
      const objects = render({ valuesFiles: [fullValuesFile] });
      // full values: tier medium globally, api-gateway tier large with a memory limit override
      expect(at(mainContainer(named(objects, 'Deployment', 'conduit-billing')), 'resources')).toEqual({
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { cpu: '2', memory: '1Gi' },
      });
      expect(at(mainContainer(named(objects, 'Deployment', 'conduit-api-gateway')), 'resources')).toEqual({
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '4', memory: '3Gi' },
      });
    });

    it('leave replicas to the HPA when autoscaling is on, and set them when it is off', () => {
      const objects = render({ set: { 'services.api-gateway.autoscaling.enabled': 'false', 'services.api-gateway.replicaCount': '4' } });
      expect(at(named(objects, 'Deployment', 'conduit-api-gateway'), 'spec', 'replicas')).toBe(4);
      expect(at(named(objects, 'Deployment', 'conduit-chat-orchestrator'), 'spec', 'replicas')).toBeUndefined();
      expect(byKind(objects, 'HorizontalPodAutoscaler').map((h) => h.metadata?.name)).not.toContain('conduit-api-gateway');
    });

    it('scale on CPU, plus queue depth through a metrics adapter when asked', () => {
      const objects = render({ valuesFiles: [fullValuesFile] });
      const gateway = named(objects, 'HorizontalPodAutoscaler', 'conduit-api-gateway');
      expect(at(gateway, 'spec', 'metrics')).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ]);
      const chat = at(named(objects, 'HorizontalPodAutoscaler', 'conduit-chat-orchestrator'), 'spec', 'metrics', 1);
      expect(chat).toEqual({
        type: 'External',
        external: {
          metric: { name: 'conduit_queue_depth', selector: { matchLabels: { queue: 'jobs', state: 'waiting' } } },
          target: { type: 'AverageValue', averageValue: '20' },
        },
      });
      const ingestion = at(named(objects, 'HorizontalPodAutoscaler', 'conduit-ingestion-worker'), 'spec', 'metrics', 1);
      expect(at(ingestion, 'type')).toBe('Pods');
      expect(at(ingestion, 'pods', 'metric', 'name')).toBe('conduit_queue_depth');
    });

    it('scale on queues that exist: every queue-depth HPA names a QueueName of libs/contracts', () => {
      const queues = new Set<string>(Object.values(QueueName));
      const objects = render({ valuesFiles: [fullValuesFile] });
      const queuesNamed = byKind(objects, 'HorizontalPodAutoscaler').flatMap((hpa) =>
        ((at(hpa, 'spec', 'metrics') as Json[]) ?? [])
          .map((metric) => at(metric, metric.type === 'Pods' ? 'pods' : 'external', 'metric', 'selector', 'matchLabels', 'queue'))
          .filter((queue): queue is string => typeof queue === 'string'),
      );
      expect(queuesNamed.length).toBeGreaterThanOrEqual(3);
      expect(queuesNamed.filter((queue) => !queues.has(queue))).toEqual([]);
      const values = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as { services: Record<string, { autoscaling: { queueDepth: { queue?: string } } }> };
      for (const [service, settings] of Object.entries(values.services)) {
        const queue = settings.autoscaling.queueDepth.queue;
        if (queue !== undefined) expect([service, queues.has(queue)]).toEqual([service, true]);
      }
      expect(templateChart(chart.dir, { set: { 'services.eval-worker.autoscaling.enabled': 'true', 'services.eval-worker.autoscaling.queueDepth.enabled': 'true' } }).status).not.toBe(0);
    });
  });

  describe('configuration and secrets', () => {
    it('keep secrets out of the ConfigMap and in the Secret', () => {
      const objects = render({ valuesFiles: [fullValuesFile], release: 'conduit-full' });
      const config = at(named(objects, 'ConfigMap', 'conduit-full-config'), 'data') as Json;
      expect(Object.keys(config)).toEqual(
        expect.arrayContaining(['NODE_ENV', 'LOG_LEVEL', 'QUEUE_PREFIX', 'VECTOR_STORE', 'QDRANT_URL', 'CHAT_ORCHESTRATOR_URL', 'BILLING_URL']),
      );
      const secretKeys = [
        'ADMIN_API_KEY', 'ANTHROPIC_API_KEY', 'DATABASE_URL', 'EMBEDDINGS_API_KEY', 'INTERNAL_TOKEN', 'OPENAI_API_KEY', 'QDRANT_API_KEY',
        'REDIS_SENTINEL_PASSWORD', 'REDIS_URL', 'RESPONSE_CACHE_DATABASE_URL', 'RESPONSE_CACHE_REDIS_URL', 'SECRETS_KEK',
      ];
      for (const key of secretKeys) {
        expect(config).not.toHaveProperty(key);
      }
      expect(JSON.stringify(config)).not.toContain('ci-only');
      const secret = at(named(objects, 'Secret', 'conduit-full-secrets'), 'data') as Record<string, string>;
      expect(Buffer.from(secret.DATABASE_URL, 'base64').toString()).toBe('postgresql://conduit:ci-only@postgres.db:5432/conduit');
      expect(Object.keys(secret).sort()).toEqual(secretKeys);
      expect(at(config, 'CHAT_ORCHESTRATOR_URL')).toBe('http://conduit-full-chat-orchestrator:8081');
    });

    it('generate the internal token into the Secret when none is given, and use the one given', () => {
      const tokenOf = (set: Record<string, string> = {}) =>
        Buffer.from((at(named(render({ set }), 'Secret', 'conduit-secrets'), 'data') as Record<string, string>).INTERNAL_TOKEN, 'base64').toString();
      const generated = tokenOf();
      expect(generated).toMatch(/^[A-Za-z0-9]{48}$/);
      // No live Secret to read back under `helm template`: each render draws a new one (an install keeps it with lookup).
      expect(tokenOf()).not.toBe(generated);
      expect(tokenOf({ 'secrets.internalToken': 'given-token-0123456789' })).toBe('given-token-0123456789');
      // Every service loads the Secret, so the gateway and the orchestrator hold the same token.
      for (const name of ['api-gateway', 'chat-orchestrator']) {
        expect(at(mainContainer(named(render(), 'Deployment', `conduit-${name}`)), 'envFrom')).toContainEqual({ secretRef: { name: 'conduit-secrets' } });
      }
    });

    it('refuse an internal token shorter than 16 characters', () => {
      expect(templateChart(chart.dir, { set: { 'secrets.internalToken': 'short' } }).status).not.toBe(0);
    });

    it('use an existingSecret instead of creating one', () => {
      const objects = render({ set: { 'secrets.existingSecret': 'my-conduit', 'secrets.databaseUrl': 'postgres://ignored' } });
      expect(byKind(objects, 'Secret')).toEqual([]);
      for (const deployment of byKind(objects, 'Deployment')) {
        expect(at(mainContainer(deployment), 'envFrom')).toContainEqual({ secretRef: { name: 'my-conduit' } });
        expect(at(deployment, 'spec', 'template', 'metadata', 'annotations', 'checksum/secret')).toBeUndefined();
      }
      const job = byKind(objects, 'Job')[0];
      expect(at(mainContainer(job), 'env', 0, 'valueFrom', 'secretKeyRef')).toEqual({ name: 'my-conduit', key: 'DATABASE_URL' });
    });

    it('roll the pods when configuration or secrets change (checksum annotations)', () => {
      const checksum = (set: Record<string, string>, key: string) =>
        at(named(render({ set }), 'Deployment', 'conduit-billing'), 'spec', 'template', 'metadata', 'annotations', key);
      const base = { 'config.logLevel': 'info', 'secrets.redisUrl': 'redis://a:6379' };
      expect(checksum(base, 'checksum/config')).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum({ ...base, 'config.logLevel': 'debug' }, 'checksum/config')).not.toBe(checksum(base, 'checksum/config'));
      expect(checksum({ ...base, 'secrets.redisUrl': 'redis://b:6379' }, 'checksum/secret')).not.toBe(
        checksum(base, 'checksum/secret'),
      );
      expect(checksum({ ...base, 'secrets.redisUrl': 'redis://b:6379' }, 'checksum/config')).toBe(checksum(base, 'checksum/config'));
    });

    it('point QDRANT_URL at the Qdrant sub-chart when it is enabled, unless a URL is given', () => {
      const data = (set: Record<string, string>, release = 'conduit') =>
        at(byKind(render({ set, release }), 'ConfigMap')[0], 'data') as Json;
      expect(data({ 'qdrant.enabled': 'true' }, 'prod').QDRANT_URL).toBe('http://prod-qdrant:6333');
      expect(data({ 'qdrant.enabled': 'true' }, 'my-qdrant').QDRANT_URL).toBe('http://my-qdrant:6333');
      expect(data({ 'qdrant.enabled': 'true', 'config.qdrantUrl': 'http://q:6333' }).QDRANT_URL).toBe('http://q:6333');
      expect(data({}).QDRANT_URL).toBeUndefined();
    });

    it("give the gateway's browser edge its CORS origins and HSTS only when set", () => {
      const full = at(named(render({ valuesFiles: [fullValuesFile], release: 'conduit-full' }), 'ConfigMap', 'conduit-full-config'), 'data') as Json;
      expect(full).toMatchObject({ CORS_ALLOWED_ORIGINS: 'https://app.example.test,http://localhost:3000', HSTS_MAX_AGE_S: '31536000' });
      const defaults = at(byKind(render(), 'ConfigMap')[0], 'data') as Json;
      expect(defaults.CORS_ALLOWED_ORIGINS).toBeUndefined();
      expect(defaults.HSTS_MAX_AGE_S).toBeUndefined();
    });

    it('carry INTERNAL_TOKEN, ADMIN_API_KEY and EMBEDDINGS_API_KEY in the Secret and the EMBEDDINGS_* settings in the ConfigMap', () => {
      const objects = render({ valuesFiles: [fullValuesFile], release: 'conduit-full' });
      const secret = at(named(objects, 'Secret', 'conduit-full-secrets'), 'data') as Json;
      const decoded = (key: string) => Buffer.from(String(secret[key]), 'base64').toString();
      expect(decoded('INTERNAL_TOKEN')).toBe('ci-only-internal-token');
      expect(decoded('ADMIN_API_KEY')).toBe('ci-only-admin-api-key-32-characters');
      expect(decoded('EMBEDDINGS_API_KEY')).toBe('ci-only-not-a-key');
      const config = at(named(objects, 'ConfigMap', 'conduit-full-config'), 'data') as Json;
      expect(config).toMatchObject({
        EMBEDDINGS_PROVIDER: 'openai',
        EMBEDDINGS_MODEL: 'text-embedding-3-small',
        EMBEDDINGS_DIMENSION: '1536',
        EMBEDDINGS_BASE_URL: 'https://api.openai.com/v1',
      });
      expect(at(byKind(render(), 'ConfigMap')[0], 'data', 'EMBEDDINGS_PROVIDER')).toBe('hashing');
      expect(templateChart(chart.dir, { set: { 'secrets.internalToken': 'short' } }).status).not.toBe(0);
    });

    it('carry the Redis topology, response cache, cache TTL and eval-worker settings, with the code defaults', () => {
      const defaults = at(byKind(render(), 'ConfigMap')[0], 'data') as Json;
      expect(defaults).toMatchObject({
        CORS_MAX_AGE_S: '600',
        REDIS_MODE: 'standalone',
        REDIS_SENTINEL_MASTER: 'mymaster',
        RESPONSE_CACHE_TIMEOUT_MS: '50',
        RESPONSE_CACHE_SEMANTIC_TIMEOUT_MS: '250',
        BUDGET_CAP_CACHE_TTL_MS: '30000',
        POLICY_CACHE_TTL_MS: '60000',
        EVAL_JUDGE_MODEL: 'default',
        EVAL_JUDGE_TIMEOUT_MS: '30000',
        EVAL_CONCURRENCY: '4',
        EVAL_READY_MAX_AGE_S: '900',
        EVAL_REGRESSION_INTERVAL_MS: '300000',
        EVAL_REGRESSION_RECENT_DAYS: '1',
        EVAL_REGRESSION_BASELINE_DAYS: '7',
        EVAL_REGRESSION_MIN_N: '30',
        EVAL_REGRESSION_ALPHA: '0.001',
      });
      expect(defaults.REDIS_CLUSTER_NODES).toBeUndefined();
      expect(defaults.REDIS_SENTINELS).toBeUndefined();
      const objects = render({ valuesFiles: [fullValuesFile], release: 'conduit-full' });
      const config = at(named(objects, 'ConfigMap', 'conduit-full-config'), 'data') as Json;
      expect(config).toMatchObject({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: 'sentinel-0.redis.db:26379,sentinel-1.redis.db:26379', REDIS_SENTINEL_MASTER: 'conduit' });
      // The NetworkPolicies let the pods reach the Sentinels' port, within the Redis CIDRs.
      expect(at(named(objects, 'NetworkPolicy', 'conduit-full-billing'), 'spec', 'egress')).toContainEqual({
        ports: [{ port: 26379, protocol: 'TCP' }],
        to: [{ ipBlock: { cidr: '10.21.0.0/16' } }],
      });
      const secret = at(named(objects, 'Secret', 'conduit-full-secrets'), 'data') as Json;
      const decoded = (key: string) => Buffer.from(String(secret[key]), 'base64').toString();
      expect(decoded('RESPONSE_CACHE_REDIS_URL')).toBe('redis://cache.redis.db:6379');
      expect(decoded('REDIS_SENTINEL_PASSWORD')).toBe('ci-only-sentinel-password');
      const cluster = at(byKind(render({ set: { 'config.redis.mode': 'cluster', 'config.redis.clusterNodes': '{r-0:6379,r-1:6379}' } }), 'ConfigMap')[0], 'data') as Json;
      expect(cluster).toMatchObject({ REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: 'r-0:6379,r-1:6379' });
      expect(templateChart(chart.dir, { set: { 'config.redis.mode': 'sentinel' } }).stderr).toMatch(/config.redis.sentinels is required/);
      // An older release's extraEnv entry wins over the named value, and no key is written twice.
      const legacy = renderChart(chart.dir, { set: { 'config.extraEnv.REDIS_MODE': 'cluster', 'config.extraEnv.EVAL_CONCURRENCY': '2' } });
      expect(legacy.match(/^\s+REDIS_MODE:/gm)).toHaveLength(1);
      expect(legacy.match(/^\s+EVAL_CONCURRENCY:/gm)).toHaveLength(1);
      expect(at(byKind(parseManifests(legacy), 'ConfigMap')[0], 'data')).toMatchObject({ REDIS_MODE: 'cluster', EVAL_CONCURRENCY: '2' });
      const refused: Record<string, string>[] = [{ 'config.redis.mode': 'replica' }, { 'config.redis.sentinels': '{sentinel}' }, { 'config.eval.regression.alpha': '0.5' }, { 'config.responseCache.timeoutMs': '0' }];
      for (const set of refused) {
        expect(templateChart(chart.dir, { set }).stderr).toMatch(/schema/);
      }
    });

    it('keep tracing on in a default install: no OTEL_SDK_DISABLED, export switched on by the endpoint alone', () => {
      const data = (set: Record<string, string>) => at(byKind(render({ set }), 'ConfigMap')[0], 'data') as Json;
      const defaults = data({});
      expect(defaults.OTEL_SDK_DISABLED).toBeUndefined();
      expect(defaults.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      expect(defaults.OTEL_TRACES_SAMPLER_ARG).toBe('1');
      const exporting = at(byKind(render({ valuesFiles: [fullValuesFile] }), 'ConfigMap')[0], 'data') as Json;
      expect(exporting.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.observability:4318');
      expect(exporting.OTEL_TRACES_SAMPLER_ARG).toBe('0.2');
      expect(exporting.OTEL_SDK_DISABLED).toBeUndefined();
      expect(templateChart(chart.dir, { set: { 'config.otel.samplingRatio': '2' } }).status).not.toBe(0);
    });
  });

  describe('migrations hook', () => {
    it('runs prisma migrate deploy as a pre-install/pre-upgrade hook with DATABASE_URL from a hook Secret', () => {
      const objects = render({ set: { 'secrets.databaseUrl': 'postgresql://u:p@db:5432/c' } });
      const job = named(objects, 'Job', 'conduit-migrate');
      expect(job.metadata?.annotations).toMatchObject({
        'helm.sh/hook': 'pre-install,pre-upgrade',
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      });
      const container = mainContainer(job);
      expect(container.command).toEqual(['npx', 'prisma', 'migrate', 'deploy']);
      expect(container.image).toBe('ghcr.io/conduit/conduit-migrate:0.1.0');
      expect(at(podSpec(job), 'restartPolicy')).toBe('Never');
      const secretName = at(container, 'env', 0, 'valueFrom', 'secretKeyRef', 'name');
      const hookSecret = named(objects, 'Secret', secretName as string);
      expect(hookSecret.metadata?.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      // The Secret must exist before the Job: lower hook weight.
      expect(Number(hookSecret.metadata?.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
        Number(job.metadata?.annotations?.['helm.sh/hook-weight']),
      );
    });

    it('is left out when there is no database URL to migrate with, or when disabled', () => {
      expect(byKind(render(), 'Job')).toEqual([]);
      expect(byKind(render({ set: { 'secrets.existingSecret': 's', 'migrations.enabled': 'false' } }), 'Job')).toEqual([]);
    });
  });

  describe('network policies', () => {
    it('leave the gateway open, admit only the gateway to the others (their internal routes), and allow only the needed egress', () => {
      const objects = render();
      const gateway = named(objects, 'NetworkPolicy', 'conduit-api-gateway');
      expect(at(gateway, 'spec', 'ingress')).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
      const fromGateway = {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'conduit', 'app.kubernetes.io/instance': 'conduit', 'app.kubernetes.io/component': 'api-gateway' } } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      };
      for (const name of ['chat-orchestrator', 'billing', 'ingestion-worker', 'eval-worker']) {
        expect(at(named(objects, 'NetworkPolicy', `conduit-${name}`), 'spec', 'ingress')).toEqual([fromGateway]);
      }
      // Each Service exposes only the port its NetworkPolicy admits.
      for (const service of byKind(objects, 'Service')) expect(at(service, 'spec', 'ports')).toEqual([expect.objectContaining({ targetPort: 'http' })]);
      const billing = named(objects, 'NetworkPolicy', 'conduit-billing');
      expect(at(billing, 'spec', 'policyTypes')).toEqual(['Ingress', 'Egress']);
      const egressPorts = (at(billing, 'spec', 'egress') as Json[]).flatMap((rule) =>
        ((rule.ports as Json[] | undefined) ?? []).map((p) => `${String(p.port)}/${String(p.protocol)}`),
      );
      expect(egressPorts.sort()).toEqual(['443/TCP', '53/TCP', '53/UDP', '5432/TCP', '6333/TCP', '6334/TCP', '6379/TCP'].sort());
    });

    it('admit the metrics scraper and restrict the gateway when configured', () => {
      const objects = render({ valuesFiles: [fullValuesFile] });
      const billing = named(objects, 'NetworkPolicy', 'conduit-billing');
      expect(at(billing, 'spec', 'ingress', 1, 'from')).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ]);
      const gateway = named(objects, 'NetworkPolicy', 'conduit-api-gateway');
      expect(at(gateway, 'spec', 'ingress', 0, 'from')).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
      ]);
      expect(at(named(objects, 'NetworkPolicy', 'conduit-migrate'), 'spec', 'policyTypes')).toEqual(['Ingress', 'Egress']);
    });

    it('can be turned off', () => {
      expect(byKind(render({ set: { 'networkPolicy.enabled': 'false' } }), 'NetworkPolicy')).toEqual([]);
    });
  });

  describe('monitoring objects', () => {
    it('ServiceMonitor scrapes /metrics and labels series with service and part_of', () => {
      const monitor = named(render({ valuesFiles: [fullValuesFile] }), 'ServiceMonitor', 'conduit');
      const endpoint = at(monitor, 'spec', 'endpoints', 0) as Json;
      expect(endpoint).toMatchObject({ port: 'http', path: '/metrics' });
      expect(endpoint.honorLabels).toBeUndefined();
      expect(endpoint.relabelings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ targetLabel: 'service', sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_component'] }),
          expect.objectContaining({ targetLabel: 'part_of' }),
        ]),
      );
    });

    it('PrometheusRule carries exactly the alert rules docker compose loads', () => {
      const rule = named(render({ valuesFiles: [fullValuesFile] }), 'PrometheusRule', 'conduit');
      const composeRules = parseYaml(readFileSync(join(repoRoot, 'deploy', 'prometheus', 'rules', 'conduit-alerts.yml'), 'utf8'));
      expect(rule.spec).toEqual(composeRules);
    });

    it('Ingress routes to the api-gateway Service only', () => {
      const ingress = named(render({ valuesFiles: [fullValuesFile] }), 'Ingress', 'conduit-api-gateway');
      expect(at(ingress, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend')).toEqual({
        service: { name: 'conduit-api-gateway', port: { name: 'http' } },
      });
      expect(at(ingress, 'spec', 'tls', 0)).toEqual({ secretName: 'conduit-tls', hosts: ['conduit.example.com'] });
    });
  });

  describe('NOTES.txt', () => {
    // `helm install --dry-run` needs a cluster here, so NOTES.txt is rendered through a
    // test-only template in a separate staged copy of the chart.
    let notesChart: StagedChart;
    beforeAll(() => {
      notesChart = stageChart();
      writeFileSync(
        join(notesChart.dir, 'templates', 'zz-notes-under-test.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-under-test\ndata:\n  notes: |\n' +
          '{{ include (print $.Template.BasePath "/NOTES.txt") . | indent 4 }}\n',
      );
    });
    afterAll(() => notesChart.cleanup());

    const notes = (options: RenderOptions) =>
      String(at(named(parseManifests(renderChart(notesChart.dir, options)), 'ConfigMap', 'notes-under-test'), 'data', 'notes'));

    it('warns about missing connection settings with default values', () => {
      const text = notes({});
      expect(text).toContain('no DATABASE_URL is configured');
      expect(text).toContain('no REDIS_URL is configured');
      expect(text).toContain('no Qdrant is configured');
      expect(text).toContain('kubectl --namespace conduit port-forward svc/conduit-api-gateway 8080:8080');
    });

    it('is quiet when configured, and names the ingress host and mock-llm when enabled', () => {
      expect(notes({ valuesFiles: [k8sValuesFile] })).not.toContain('WARNING');
      const full = notes({ valuesFiles: [fullValuesFile] });
      expect(full).toContain('https://conduit.example.com/v1/chat/completions');
      expect(full).toContain('mock-llm is enabled');
      expect(full).toContain('Migrations ran as the pre-install/pre-upgrade hook Job');
      expect(full).not.toContain('networkPolicy.metricsFrom');
    });

    it('warns when a ServiceMonitor is enabled but the NetworkPolicies keep Prometheus out', () => {
      expect(notes({ valuesFiles: [k8sValuesFile], set: { 'metrics.serviceMonitor.enabled': 'true' } })).toContain(
        'set networkPolicy.metricsFrom',
      );
    });
  });

  describe('k8s/ plain manifests', () => {
    it('are up to date with the chart (re-run scripts/deploy-checks/render-k8s.sh)', () => {
      const out = mkdtempSync(join(tmpdir(), 'conduit-k8s-'));
      try {
        const result = spawnSync('bash', [join(repoRoot, 'scripts', 'deploy-checks', 'render-k8s.sh'), out], {
          cwd: repoRoot,
          encoding: 'utf8',
        });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        for (const file of ['conduit.yaml', 'migrate-job.yaml']) {
          expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(repoRoot, 'k8s', file), 'utf8'));
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it('hold the services and the migration Job separately, with no Secret', () => {
      const services = parseManifests(readFileSync(join(repoRoot, 'k8s', 'conduit.yaml'), 'utf8'));
      const migrate = parseManifests(readFileSync(join(repoRoot, 'k8s', 'migrate-job.yaml'), 'utf8'));
      expect(byKind(services, 'Deployment')).toHaveLength(5);
      expect(byKind(services, 'Secret')).toEqual([]);
      expect(migrate.map((o) => o.kind)).toEqual(['Job']);
      expect(migrate[0].metadata?.annotations?.['helm.sh/hook']).toBeUndefined();
      for (const o of [...services, ...migrate]) expect(o.metadata?.namespace).toBe('conduit');
    });
  });
});
