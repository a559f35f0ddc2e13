import { parseAllDocuments } from 'yaml';

/**
 * Invariants every rendered Kubernetes manifest of Conduit must hold. The checker is plain data
 * in, violations out, so a spec can feed it small broken manifests and prove each rule fires.
 */

export type RuleId =
  | 'probes'
  | 'resources'
  | 'run-as-non-root'
  | 'privilege-escalation'
  | 'read-only-root-fs'
  | 'capabilities'
  | 'seccomp'
  | 'image-tag'
  | 'pdb'
  | 'configmap-secret'
  | 'env-secret-literal';

export interface Violation {
  rule: RuleId;
  /** "Kind/name" of the offending object. */
  resource: string;
  container?: string;
  message: string;
}

type Json = Record<string, unknown>;

export interface K8sObject extends Json {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Parses a multi-document YAML stream (e.g. `helm template` output), skipping empty documents. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (isObject(value)) objects.push(value as K8sObject);
  }
  return objects;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function id(o: K8sObject): string {
  return `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;
}

/** Kinds whose pods run to completion: their containers need no probes. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

interface PodTemplate {
  spec: Json;
  labels: Record<string, string>;
}

/** The pod template of a workload object, or undefined when the object has no pods. */
export function podTemplateOf(o: K8sObject): PodTemplate | undefined {
  const spec = obj(o.spec);
  switch (o.kind) {
    case 'Pod':
      return { spec, labels: o.metadata?.labels ?? {} };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job': {
      const template = obj(spec.template);
      return { spec: obj(template.spec), labels: obj(obj(template.metadata).labels) as Record<string, string> };
    }
    case 'CronJob': {
      const template = obj(obj(obj(spec.jobTemplate).spec).template);
      return { spec: obj(template.spec), labels: obj(obj(template.metadata).labels) as Record<string, string> };
    }
    default:
      return undefined;
  }
}

/** Environment-variable or ConfigMap key names that must only ever come from a Secret. */
export function looksSecret(name: string): boolean {
  const key = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return (
    /(^|_)(API_)?KEY$/.test(key) ||
    /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY/.test(key) ||
    key === 'DATABASE_URL' ||
    key === 'REDIS_URL'
  );
}

/** A URL with a password in it (scheme://user:password@host). */
function hasUrlCredentials(value: string): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value);
}

/** Splits an image reference into its tag and digest (either may be undefined). */
export function imageTag(image: string): { tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@', 2);
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  const tag = lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : undefined;
  return { tag: tag || undefined, digest };
}

function checkContainer(
  owner: K8sObject,
  podSpec: Json,
  container: Json,
  role: 'container' | 'init',
  out: Violation[],
): void {
  const name = typeof container.name === 'string' ? container.name : '?';
  const add = (rule: RuleId, message: string) => out.push({ rule, resource: id(owner), container: name, message });

  // Probes: long-running containers only. Regular init containers cannot have probes; native
  // sidecars (init containers with restartPolicy Always) run for the pod's lifetime and need them.
  const longRunning = role === 'container' || container.restartPolicy === 'Always';
  if (longRunning && !RUN_TO_COMPLETION.has(owner.kind ?? '')) {
    if (!isObject(container.livenessProbe)) add('probes', 'no livenessProbe');
    if (!isObject(container.readinessProbe)) add('probes', 'no readinessProbe');
  }

  const resources = obj(container.resources);
  for (const section of ['requests', 'limits'] as const) {
    const values = obj(resources[section]);
    for (const resource of ['cpu', 'memory']) {
      if (values[resource] === undefined || values[resource] === null || values[resource] === '') {
        add('resources', `no resources.${section}.${resource}`);
      }
    }
  }

  const podSc = obj(podSpec.securityContext);
  const sc = obj(container.securityContext);
  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  if (runAsNonRoot !== true) add('run-as-non-root', 'runAsNonRoot is not true (pod or container securityContext)');
  if (runAsUser === 0) add('run-as-non-root', 'runAsUser is 0 (root)');
  if (sc.allowPrivilegeEscalation !== false) add('privilege-escalation', 'securityContext.allowPrivilegeEscalation is not false');
  if (sc.privileged === true) add('privilege-escalation', 'securityContext.privileged is true');
  if (sc.readOnlyRootFilesystem !== true) add('read-only-root-fs', 'securityContext.readOnlyRootFilesystem is not true');

  const capabilities = obj(sc.capabilities);
  const drop = Array.isArray(capabilities.drop) ? capabilities.drop.map(String) : [];
  if (!drop.includes('ALL')) add('capabilities', 'securityContext.capabilities.drop does not include ALL');
  if (Array.isArray(capabilities.add) && capabilities.add.length > 0) {
    add('capabilities', `securityContext.capabilities.add grants ${capabilities.add.join(', ')}`);
  }

  const seccomp = obj(sc.seccompProfile ?? podSc.seccompProfile);
  if (seccomp.type !== 'RuntimeDefault' && seccomp.type !== 'Localhost') {
    add('seccomp', 'seccompProfile.type is not RuntimeDefault or Localhost');
  }

  const image = typeof container.image === 'string' ? container.image : '';
  const { tag, digest } = imageTag(image);
  if (!image) add('image-tag', 'no image');
  else if (!digest && !tag) add('image-tag', `image "${image}" has no tag`);
  else if (!digest && tag === 'latest') add('image-tag', `image "${image}" uses the latest tag`);

  for (const env of list(container.env)) {
    const envName = typeof env.name === 'string' ? env.name : '';
    if (typeof env.value === 'string' && env.value !== '' && (looksSecret(envName) || hasUrlCredentials(env.value))) {
      add('env-secret-literal', `env ${envName} carries a secret as a literal value; use valueFrom.secretKeyRef`);
    }
  }
}

/** True when a label selector (matchLabels and matchExpressions) selects the given labels. */
export function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  const matchLabels = obj(selector.matchLabels) as Record<string, string>;
  const expressions = list(selector.matchExpressions);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== String(value)) return false;
  }
  for (const expression of expressions) {
    const key = String(expression.key);
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expression.operator) {
      case 'In':
        if (!present || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function checkPdbs(objects: K8sObject[], out: Violation[]): void {
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    const labels = podTemplateOf(deployment)?.labels ?? {};
    const namespace = deployment.metadata?.namespace;
    const covered = pdbs.some(
      (pdb) => pdb.metadata?.namespace === namespace && selectorMatches(obj(obj(pdb.spec).selector), labels),
    );
    if (!covered) {
      out.push({ rule: 'pdb', resource: id(deployment), message: 'no PodDisruptionBudget selects its pods' });
    }
  }
}

function checkConfigMap(configMap: K8sObject, out: Violation[]): void {
  for (const section of ['data', 'binaryData'] as const) {
    for (const [key, value] of Object.entries(obj(configMap[section]))) {
      if (looksSecret(key)) {
        out.push({ rule: 'configmap-secret', resource: id(configMap), message: `${section}.${key} looks like a secret` });
      } else if (typeof value === 'string' && hasUrlCredentials(value)) {
        out.push({ rule: 'configmap-secret', resource: id(configMap), message: `${section}.${key} holds a URL with a password` });
      }
    }
  }
}

/** Checks every object and returns all violations (empty when the manifests are fine). */
export function checkManifests(objects: K8sObject[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    if (o.kind === 'ConfigMap') checkConfigMap(o, out);
    const template = podTemplateOf(o);
    if (!template) continue;
    for (const container of list(template.spec.containers)) checkContainer(o, template.spec, container, 'container', out);
    for (const container of list(template.spec.initContainers)) checkContainer(o, template.spec, container, 'init', out);
  }
  checkPdbs(objects, out);
  return out;
}

/** One line per violation, for test failure messages. */
export function formatViolations(violations: Violation[]): string {
  return violations
    .map((v) => `${v.rule}: ${v.resource}${v.container ? ` [${v.container}]` : ''}: ${v.message}`)
    .join('\n');
}
