import { fullValuesFile, k8sValuesFile, renderChart, stageChart, type StagedChart } from './chart';
import {
  checkManifests,
  formatViolations,
  imageTag,
  looksSecret,
  parseManifests,
  selectorMatches,
  type K8sObject,
  type RuleId,
} from './manifest-invariants';

/** A container that satisfies every invariant; tests break one thing at a time. */
function goodContainer(name = 'app'): Record<string, unknown> {
  return {
    name,
    image: 'ghcr.io/conduit/conduit-api-gateway:1.2.3',
    livenessProbe: { httpGet: { path: '/health', port: 'http' } },
    readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}

const podLabels = { 'app.kubernetes.io/name': 'conduit', 'app.kubernetes.io/component': 'api-gateway' };

function deployment(container = goodContainer(), extraPodSpec: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gw' },
    spec: {
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: { ...podLabels, extra: 'x' } },
        spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container], ...extraPodSpec },
      },
    },
  };
}

function pdb(matchLabels: Record<string, string> = podLabels): K8sObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'gw' }, spec: { maxUnavailable: 1, selector: { matchLabels } } };
}

function job(container: Record<string, unknown>): K8sObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate' },
    spec: { template: { spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container] } } },
  };
}

function rules(objects: K8sObject[]): RuleId[] {
  return [...new Set(checkManifests(objects).map((v) => v.rule))].sort();
}

function without(container: Record<string, unknown>, path: string[]): Record<string, unknown> {
  const copy = structuredClone(container);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path[path.length - 1]];
  return copy;
}

function withValue(container: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(container);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

describe('manifest invariant checker', () => {
  it('accepts a compliant Deployment with its PodDisruptionBudget', () => {
    expect(checkManifests([deployment(), pdb()])).toEqual([]);
  });

  it.each([
    ['livenessProbe', ['livenessProbe']],
    ['readinessProbe', ['readinessProbe']],
  ])('flags a Deployment container without %s', (_label, path) => {
    expect(rules([deployment(without(goodContainer(), path)), pdb()])).toEqual(['probes']);
  });

  it('does not require probes on Jobs or on ordinary init containers', () => {
    const noProbes = without(without(goodContainer(), ['livenessProbe']), ['readinessProbe']);
    expect(checkManifests([job(noProbes)])).toEqual([]);
    expect(checkManifests([deployment(goodContainer(), { initContainers: [{ ...noProbes, name: 'init' }] }), pdb()])).toEqual([]);
  });

  it('requires probes on native sidecars (init containers with restartPolicy Always)', () => {
    const sidecar = { ...without(goodContainer('sidecar'), ['readinessProbe']), restartPolicy: 'Always' };
    expect(rules([deployment(goodContainer(), { initContainers: [sidecar] }), pdb()])).toEqual(['probes']);
  });

  it.each([
    ['requests.cpu', ['resources', 'requests', 'cpu']],
    ['requests.memory', ['resources', 'requests', 'memory']],
    ['limits.cpu', ['resources', 'limits', 'cpu']],
    ['limits.memory', ['resources', 'limits', 'memory']],
  ])('flags a container without resources.%s', (_label, path) => {
    const violations = checkManifests([deployment(without(goodContainer(), path)), pdb()]);
    expect(violations.map((v) => v.rule)).toEqual(['resources']);
    expect(violations[0].message).toContain(_label);
  });

  it('checks init containers and Job containers for resources and security too', () => {
    const bad = without(goodContainer('init'), ['resources']);
    expect(rules([deployment(goodContainer(), { initContainers: [bad] }), pdb()])).toEqual(['resources']);
    expect(rules([job(withValue(goodContainer('migrate'), ['securityContext', 'readOnlyRootFilesystem'], false))])).toEqual([
      'read-only-root-fs',
    ]);
  });

  it('flags containers that may run as root', () => {
    expect(rules([deployment(without(goodContainer(), ['securityContext', 'runAsNonRoot'])), pdb()])).toEqual(['run-as-non-root']);
    expect(rules([deployment(withValue(goodContainer(), ['securityContext', 'runAsUser'], 0)), pdb()])).toEqual(['run-as-non-root']);
  });

  it('takes runAsNonRoot from the pod securityContext when the container does not set it', () => {
    const container = without(goodContainer(), ['securityContext', 'runAsNonRoot']);
    const podSecurity = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
    expect(checkManifests([deployment(container, podSecurity), pdb()])).toEqual([]);
  });

  it('flags privilege escalation and privileged containers', () => {
    expect(rules([deployment(without(goodContainer(), ['securityContext', 'allowPrivilegeEscalation'])), pdb()])).toEqual([
      'privilege-escalation',
    ]);
    expect(rules([deployment(withValue(goodContainer(), ['securityContext', 'privileged'], true)), pdb()])).toEqual([
      'privilege-escalation',
    ]);
  });

  it('flags a writable root filesystem', () => {
    expect(rules([deployment(withValue(goodContainer(), ['securityContext', 'readOnlyRootFilesystem'], false)), pdb()])).toEqual([
      'read-only-root-fs',
    ]);
  });

  it('flags capabilities that are not all dropped, or added back', () => {
    expect(rules([deployment(without(goodContainer(), ['securityContext', 'capabilities'])), pdb()])).toEqual(['capabilities']);
    const added = withValue(goodContainer(), ['securityContext', 'capabilities'], { drop: ['ALL'], add: ['NET_ADMIN'] });
    expect(rules([deployment(added), pdb()])).toEqual(['capabilities']);
  });

  it('flags pods without a RuntimeDefault seccomp profile', () => {
    expect(rules([deployment(goodContainer(), { securityContext: {} }), pdb()])).toEqual(['seccomp']);
  });

  it.each([
    ['ghcr.io/conduit/app:latest', true],
    ['ghcr.io/conduit/app', true],
    ['localhost:5000/app', true],
    ['', true],
    ['localhost:5000/app:1.0.0', false],
    ['ghcr.io/conduit/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', false],
  ])('image %p violates the tag rule: %p', (image, bad) => {
    const found = rules([deployment(withValue(goodContainer(), ['image'], image)), pdb()]);
    expect(found).toEqual(bad ? ['image-tag'] : []);
  });

  it('splits image references into tag and digest', () => {
    expect(imageTag('registry:5000/a/b:1.2')).toEqual({ tag: '1.2', digest: undefined });
    expect(imageTag('registry:5000/a/b')).toEqual({ tag: undefined, digest: undefined });
  });

  it('flags a Deployment that no PodDisruptionBudget selects', () => {
    expect(rules([deployment()])).toEqual(['pdb']);
    expect(rules([deployment(), pdb({ 'app.kubernetes.io/component': 'billing' })])).toEqual(['pdb']);
  });

  it('matches PDB selectors with matchExpressions', () => {
    const labels = { app: 'x', tier: 'web' };
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({}, labels)).toBe(false);
  });

  it.each(['DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'QDRANT_API_KEY', 'POSTGRES_PASSWORD', 'GITHUB_TOKEN', 'client-secret'])(
    'flags the secret-looking ConfigMap key %s',
    (key) => {
      const configMap: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { [key]: 'x' } };
      expect(rules([configMap])).toEqual(['configmap-secret']);
    },
  );

  it('flags ConfigMap values that embed credentials, and accepts ordinary settings', () => {
    const leaky: K8sObject = { kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { UPSTREAM: 'postgres://app:hunter2@db:5432/app' } };
    expect(rules([leaky])).toEqual(['configmap-secret']);
    const fine: K8sObject = {
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { LOG_LEVEL: 'info', QDRANT_URL: 'http://qdrant:6333', MONKEY: 'ok', KEYSPACE: 'x' },
    };
    expect(checkManifests([fine])).toEqual([]);
  });

  it('flags secrets passed to containers as literal env values', () => {
    const leaky = withValue(goodContainer(), ['env'], [{ name: 'OPENAI_API_KEY', value: 'sk-123' }]);
    expect(rules([deployment(leaky), pdb()])).toEqual(['env-secret-literal']);
    const fromSecret = withValue(goodContainer(), ['env'], [
      { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 's', key: 'OPENAI_API_KEY' } } },
      { name: 'PORT', value: '8080' },
    ]);
    expect(checkManifests([deployment(fromSecret), pdb()])).toEqual([]);
  });

  it('classifies secret-looking names', () => {
    expect(looksSecret('ANTHROPIC_API_KEY')).toBe(true);
    expect(looksSecret('database_url')).toBe(true);
    expect(looksSecret('LOG_LEVEL')).toBe(false);
    expect(looksSecret('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(false);
  });

  it('parses multi-document YAML and skips empty documents', () => {
    const objects = parseManifests('---\n# only a comment\n---\nkind: ConfigMap\nmetadata: {name: a}\n---\n');
    expect(objects).toHaveLength(1);
    expect(() => parseManifests('kind: [unclosed')).toThrow(/invalid YAML/);
  });
});

describe('the rendered Helm chart satisfies every invariant', () => {
  let chart: StagedChart;
  beforeAll(() => {
    chart = stageChart();
  });
  afterAll(() => chart.cleanup());

  it.each([
    ['default values', []],
    ['full values (every optional feature on)', [fullValuesFile]],
    ['k8s/ values', [k8sValuesFile]],
  ])('with %s', (_label, valuesFiles) => {
    const objects = parseManifests(renderChart(chart.dir, { valuesFiles }));
    expect(objects.some((o) => o.kind === 'Deployment')).toBe(true);
    const violations = checkManifests(objects);
    expect(formatViolations(violations)).toBe('');
  });

  it('is not vacuous: the same render minus its PodDisruptionBudgets and with a root container fails', () => {
    const objects = parseManifests(renderChart(chart.dir)).filter((o) => o.kind !== 'PodDisruptionBudget');
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'conduit-api-gateway');
    const container = ((gateway?.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec
      .containers[0].securityContext ?? {}) as Record<string, unknown>;
    container.runAsUser = 0;
    expect(rules(objects)).toEqual(['pdb', 'run-as-non-root']);
  });
});
