import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Which metric names do the Grafana dashboards and Prometheus alert rules use? The answer is
 * compared with what the services really export (the lead's e2e test scrapes live /metrics), so
 * that a renamed metric breaks a test instead of silently emptying a panel or an alert.
 */

const repoRoot = join(__dirname, '..', '..');

export const DEFAULT_DASHBOARD_DIRS = [join(repoRoot, 'deploy', 'grafana', 'dashboards')];
export const DEFAULT_RULE_DIRS = [join(repoRoot, 'deploy', 'prometheus', 'rules'), join(repoRoot, 'helm', 'conduit', 'files')];

/** Series that Prometheus itself creates for every target; no application exports them. */
export const PROMETHEUS_GENERATED_METRICS: ReadonlySet<string> = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

/** Words that are PromQL syntax, not metric names, when they stand bare. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);
/** Modifiers followed by a parenthesised list of label names. */
const LABEL_LIST_MODIFIERS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Aggregation operators: `sum by (x) (...)` puts the modifier between the name and its parenthesis. */
const AGGREGATIONS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values',
  'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;
const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** `conduit_x_bucket` -> `conduit_x`: the name a histogram is declared (and scraped) under. */
export function baseMetricName(name: string): string {
  return name.replace(HISTOGRAM_SUFFIX, '');
}

function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\' && quote !== '`') i++;
    i++;
  }
  return i + 1;
}

/** Index just past the bracket that closes the one at `start` (strings inside are skipped). */
function skipBalanced(text: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

function nextNonSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

/** Reads a label-matcher block `{...}` and returns a metric name it selects by `__name__` or a bare quoted name. */
function namesInMatchers(block: string): string[] {
  const names: string[] = [];
  const matcher = /(?:([a-zA-Z_][a-zA-Z0-9_]*)|("(?:[^"\\]|\\.)*"))\s*(=~|!=|!~|=)?\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)?/g;
  let m: RegExpExecArray | null;
  while ((m = matcher.exec(block)) !== null) {
    if (m[0].length === 0) {
      matcher.lastIndex++;
      continue;
    }
    const [, label, quotedName, op, value] = m;
    if (quotedName && !op) names.push(JSON.parse(quotedName) as string);
    if (label === '__name__' && op === '=' && value) {
      const name = value.slice(1, -1);
      if (NAME_RE.test(name)) names.push(name);
    }
  }
  return names;
}

/**
 * Metric names a PromQL expression selects, histogram suffixes stripped. Handles functions and
 * aggregations, `by`/`without`/`on`/`ignoring`/`group_*` label lists, label matchers, range and
 * subquery brackets, strings, comments, numbers/durations and Grafana variables ($x, ${x}).
 */
export function extractMetricNames(expr: string): Set<string> {
  const names = new Set<string>();
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '{') {
      const end = skipBalanced(expr, i, '{', '}');
      for (const name of namesInMatchers(expr.slice(i + 1, end - 1))) names.add(baseMetricName(name));
      i = end;
    } else if (c === '[') {
      i = skipBalanced(expr, i, '[', ']');
    } else if (c === '$') {
      // Grafana variable: $name, $__name or ${name:format}
      i++;
      if (expr[i] === '{') i = skipBalanced(expr, i, '{', '}');
      else while (i < expr.length && /[a-zA-Z0-9_]/.test(expr[i])) i++;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      // number or duration: 0.99, 1e3, 0x1f, 5m, 1h30m
      while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i])) i++;
      if (/[eE]/.test(expr[i - 1]) && /[+-]/.test(expr[i] ?? '')) {
        i++;
        while (i < expr.length && /[0-9]/.test(expr[i])) i++;
      }
    } else if (/[a-zA-Z_:]/.test(c)) {
      const start = i;
      while (i < expr.length && /[a-zA-Z0-9_:]/.test(expr[i])) i++;
      const word = expr.slice(start, i);
      const next = nextNonSpace(expr, i);
      const lower = word.toLowerCase();
      if (LABEL_LIST_MODIFIERS.has(lower)) {
        if (expr[next] === '(') i = skipBalanced(expr, next, '(', ')');
      } else if (KEYWORDS.has(lower)) {
        // operator or literal
      } else if (expr[next] === '(' || (AGGREGATIONS.has(lower) && /^(by|without)\s*\(/i.test(expr.slice(next)))) {
        // function or aggregation call; its arguments are scanned as usual
      } else {
        names.add(baseMetricName(word));
      }
    } else {
      i++;
    }
  }
  return names;
}

/**
 * Metric names used by a Grafana template-variable query. Grafana's Prometheus data source adds
 * its own functions here: label_values(expr, label), label_values(label), label_names(),
 * metrics(regex) and query_result(expr). Anything else is a plain PromQL query.
 */
export function extractVariableQueryMetricNames(query: string): Set<string> {
  const q = query.trim();
  let m = /^label_values\(\s*(.*)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/s.exec(q);
  if (m) return extractMetricNames(m[1]);
  if (/^label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/.test(q)) return new Set();
  if (/^(metrics|label_names)\(/.test(q)) {
    m = /^label_names\(\s*(.+)\s*\)$/s.exec(q);
    return m ? extractMetricNames(m[1]) : new Set();
  }
  m = /^query_result\((.*)\)$/s.exec(q);
  if (m) return extractMetricNames(m[1]);
  return extractMetricNames(q);
}

/** A reference to a metric and the file and expression it comes from. */
export interface MetricReference {
  metric: string;
  file: string;
  expr: string;
}

function isPrometheusTarget(node: Record<string, unknown>): boolean {
  const datasource = node.datasource;
  if (typeof datasource === 'object' && datasource !== null) {
    const type = (datasource as { type?: unknown }).type;
    return type === undefined || type === 'prometheus';
  }
  return true;
}

/** Every metric referenced by one Grafana dashboard (panels, nested rows, template variables). */
export function dashboardReferences(dashboard: unknown, file = '<dashboard>'): MetricReference[] {
  const refs: MetricReference[] = [];
  const add = (names: Set<string>, expr: string) => names.forEach((metric) => refs.push({ metric, file, expr }));
  const walk = (node: unknown, inTemplating: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((child) => walk(child, inTemplating));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.expr === 'string' && isPrometheusTarget(record)) add(extractMetricNames(record.expr), record.expr);
    if (inTemplating && record.type === 'query' && isPrometheusTarget(record)) {
      const query = typeof record.query === 'string' ? record.query : (record.query as { query?: unknown } | undefined)?.query;
      if (typeof query === 'string') add(extractVariableQueryMetricNames(query), query);
    }
    for (const [key, value] of Object.entries(record)) {
      if (key === 'expr') continue;
      walk(value, inTemplating || key === 'templating');
    }
  };
  walk(dashboard, false);
  return refs;
}

/** Every metric referenced by a Prometheus rules file (alerting and recording rules). */
export function ruleFileReferences(rules: unknown, file = '<rules>'): { refs: MetricReference[]; recorded: Set<string> } {
  const refs: MetricReference[] = [];
  const recorded = new Set<string>();
  const groups = (rules as { groups?: unknown } | null)?.groups;
  for (const group of Array.isArray(groups) ? groups : []) {
    const groupRules = (group as { rules?: unknown }).rules;
    for (const rule of Array.isArray(groupRules) ? groupRules : []) {
      const { expr, record } = rule as { expr?: unknown; record?: unknown };
      if (typeof record === 'string') recorded.add(record);
      if (typeof expr === 'string') extractMetricNames(expr).forEach((metric) => refs.push({ metric, file, expr }));
    }
  }
  return { refs, recorded };
}

function filesIn(dirs: string[], pattern: RegExp): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => pattern.test(name))
      .sort()
      .map((name) => join(dir, name)),
  );
}

export interface ReferenceSources {
  dashboardDirs?: string[];
  ruleDirs?: string[];
}

/**
 * All metric references of the dashboards (*.json) and rule files (*.yml, *.yaml), with where
 * each comes from. Names produced by recording rules in those files are left out: they are not
 * exported by any service.
 */
export function collectMetricReferences(sources: ReferenceSources = {}): MetricReference[] {
  const refs: MetricReference[] = [];
  const recorded = new Set<string>();
  for (const file of filesIn(sources.dashboardDirs ?? DEFAULT_DASHBOARD_DIRS, /\.json$/)) {
    refs.push(...dashboardReferences(JSON.parse(readFileSync(file, 'utf8')), file));
  }
  for (const file of filesIn(sources.ruleDirs ?? DEFAULT_RULE_DIRS, /\.ya?ml$/)) {
    const result = ruleFileReferences(parseYaml(readFileSync(file, 'utf8')), file);
    refs.push(...result.refs);
    result.recorded.forEach((name) => recorded.add(name));
  }
  return refs.filter((ref) => !recorded.has(ref.metric));
}

/**
 * The set of metric names the Grafana dashboards and Prometheus alert rules reference, histogram
 * series reduced to their base name. Includes Prometheus-generated names such as `up`
 * (see PROMETHEUS_GENERATED_METRICS) for the caller to exclude when comparing with a scrape.
 */
export function referencedMetricNames(sources: ReferenceSources = {}): Set<string> {
  return new Set(collectMetricReferences(sources).map((ref) => ref.metric));
}

export const METRICS_DOC = join(repoRoot, 'docs', 'metrics.md');

/** What docs/metrics.md documents: exact names, `prefix_*` families, and names not exported yet. */
export interface DocumentedMetrics {
  names: Set<string>;
  prefixes: string[];
  pending: Set<string>;
}

/**
 * Reads the metric tables of docs/metrics.md: the first cell of each table row, in backticks,
 * is a metric name or a `prefix_*` family. Names in backticks under the heading "Not exported
 * until wired" are listed apart.
 */
export function documentedMetrics(markdown: string): DocumentedMetrics {
  const names = new Set<string>();
  const prefixes: string[] = [];
  const pending = new Set<string>();
  let inPending = false;
  for (const line of markdown.split('\n')) {
    const heading = /^#+\s+(.*)$/.exec(line);
    if (heading) {
      inPending = /not exported until wired/i.test(heading[1]);
      continue;
    }
    if (inPending) {
      for (const match of line.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?`/g)) {
        if (match[1].includes('_')) pending.add(match[1]);
      }
      continue;
    }
    const row = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*\*?)`\s*\|/.exec(line);
    if (!row) continue;
    if (row[1].endsWith('*')) prefixes.push(row[1].slice(0, -1));
    else names.add(row[1]);
  }
  return { names, prefixes, pending };
}

/** Compares a live scrape with the documentation, both ways. */
export function compareWithDocs(exported: Set<string>, doc: DocumentedMetrics): { undocumented: string[]; notExported: string[] } {
  const undocumented = [...exported].filter((name) => !doc.names.has(name) && !doc.prefixes.some((prefix) => name.startsWith(prefix))).sort();
  const notExported = [...doc.names].filter((name) => !exported.has(name)).sort();
  for (const prefix of doc.prefixes) {
    if (![...exported].some((name) => name.startsWith(prefix))) notExported.push(`${prefix}*`);
  }
  return { undocumented, notExported };
}
