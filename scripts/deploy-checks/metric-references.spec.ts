import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  baseMetricName,
  collectMetricReferences,
  compareWithDocs,
  dashboardReferences,
  documentedMetrics,
  extractMetricNames,
  extractVariableQueryMetricNames,
  METRICS_DOC,
  PROMETHEUS_GENERATED_METRICS,
  referencedMetricNames,
  ruleFileReferences,
} from './metric-references';

const repoRoot = join(__dirname, '..', '..');

/** Metrics that must each have a panel or a rule (docs/metrics.md lists everything exported). */
const EXPORTED = [
  'conduit_http_request_duration_seconds',
  'conduit_queue_jobs_total',
  'conduit_queue_job_duration_seconds',
  'conduit_queue_job_wait_seconds',
  'conduit_queue_depth',
  'conduit_llm_request_duration_seconds',
  'conduit_llm_time_to_first_token_seconds',
  'conduit_llm_tokens_total',
  'conduit_llm_cost_usd_total',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
];

const names = (expr: string) => [...extractMetricNames(expr)].sort();

describe('extractMetricNames (PromQL)', () => {
  it('finds bare selectors and selectors with matchers or ranges', () => {
    expect(names('up == 0')).toEqual(['up']);
    expect(names('conduit_queue_depth{state="waiting", queue=~"chat|eval"} > 100')).toEqual(['conduit_queue_depth']);
    expect(names('rate(conduit_llm_tokens_total[5m])')).toEqual(['conduit_llm_tokens_total']);
  });

  it('reduces histogram series to the base histogram name', () => {
    expect(names('histogram_quantile(0.99, sum by (le) (rate(conduit_http_request_duration_seconds_bucket[5m])))')).toEqual([
      'conduit_http_request_duration_seconds',
    ]);
    expect(names('rate(x_sum[1m]) / rate(x_count[1m])')).toEqual(['x']);
    expect(baseMetricName('conduit_queue_jobs_total')).toBe('conduit_queue_jobs_total');
  });

  it('ignores functions, aggregations, keywords and label lists in by/without/on/ignoring/group_*', () => {
    const expr = `
      sum without (instance) (rate(a_total{job="x"}[5m])) / on (service) group_left (team) b_info
      or absent(c) unless d offset 5m and bool e > 1
      # a comment mentioning not_a_metric
      + count_values("version", f) + topk(5, g) + label_replace(h, "dst", "$1", "src", "(.*)")
      + sum(rate(i[5m])) by (service, route) + max_over_time(j[1h:5m]) + k @ start() + 1e3 * inf
    `;
    expect(names(expr)).toEqual(['a_total', 'b_info', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']);
  });

  it('ignores Grafana variables and strings', () => {
    expect(names('sum(rate(conduit_llm_cost_usd_total{model=~"$model", svc="${service:regex}"}[$__rate_interval])) * $scale')).toEqual([
      'conduit_llm_cost_usd_total',
    ]);
  });

  it('reads metric names given as __name__ matchers or quoted UTF-8 names', () => {
    expect(names('{__name__="conduit_queue_depth", state="active"}')).toEqual(['conduit_queue_depth']);
    expect(names('{"my.metric", a="b"}')).toEqual(['my.metric']);
    expect(names('{__name__=~"conduit_.*"}')).toEqual([]);
  });

  it('handles recording-rule names with colons', () => {
    expect(names('service:conduit_requests:rate5m > 3')).toEqual(['service:conduit_requests:rate5m']);
  });
});

describe('extractVariableQueryMetricNames (Grafana template variables)', () => {
  it('understands label_values, label_names, metrics and query_result', () => {
    expect([...extractVariableQueryMetricNames('label_values(up{part_of="conduit"}, service)')]).toEqual(['up']);
    expect([...extractVariableQueryMetricNames('label_values(service)')]).toEqual([]);
    expect([...extractVariableQueryMetricNames('metrics(conduit_.*)')]).toEqual([]);
    expect([...extractVariableQueryMetricNames('query_result(topk(5, conduit_llm_tokens_total))')]).toEqual(['conduit_llm_tokens_total']);
  });
});

describe('reference collection', () => {
  it('walks dashboard panels, collapsed rows and template variables, skipping non-Prometheus targets', () => {
    const dashboard = {
      panels: [
        { type: 'timeseries', targets: [{ expr: 'rate(a_total[5m])' }] },
        { type: 'row', collapsed: true, panels: [{ targets: [{ expr: 'b_bucket' }] }] },
        { targets: [{ expr: '{app="x"} |= "error"', datasource: { type: 'loki', uid: 'logs' } }] },
      ],
      templating: { list: [{ type: 'query', query: { query: 'label_values(c_info, service)' } }, { type: 'custom', query: 'x,y' }] },
    };
    expect(dashboardReferences(dashboard).map((r) => r.metric).sort()).toEqual(['a_total', 'b', 'c_info']);
  });

  it('reads alert and recording rules, and leaves out recorded names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metric-refs-'));
    try {
      const rules = {
        groups: [
          {
            name: 'g',
            rules: [
              { record: 'job:a:rate5m', expr: 'sum(rate(a_total[5m]))' },
              { alert: 'A', expr: 'job:a:rate5m > 1 and b > 0' },
            ],
          },
        ],
      };
      expect(ruleFileReferences(rules).recorded).toEqual(new Set(['job:a:rate5m']));
      writeFileSync(join(dir, 'rules.yml'), JSON.stringify(rules));
      writeFileSync(join(dir, 'dash.json'), JSON.stringify({ panels: [{ targets: [{ expr: 'c' }] }] }));
      expect([...referencedMetricNames({ dashboardDirs: [dir], ruleDirs: [dir] })].sort()).toEqual(['a_total', 'b', 'c']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the repository's dashboards and alert rules", () => {
  const refs = collectMetricReferences();
  const used = referencedMetricNames();

  it('reference only metrics docs/metrics.md lists (checked against a live scrape by e2e/metrics), or that Prometheus generates', () => {
    const doc = documentedMetrics(readFileSync(METRICS_DOC, 'utf8'));
    const listed = (name: string) => doc.names.has(name) || doc.prefixes.some((prefix) => name.startsWith(prefix));
    const unknown = refs.filter((r) => !listed(r.metric) && !PROMETHEUS_GENERATED_METRICS.has(r.metric));
    expect(unknown.map((r) => `${r.metric} in ${r.file}: ${r.expr}`)).toEqual([]);
  });

  it('cover every exported metric somewhere (no metric left without a panel)', () => {
    expect(EXPORTED.filter((name) => !used.has(name))).toEqual([]);
    const documented = [...documentedMetrics(readFileSync(METRICS_DOC, 'utf8')).names].filter((name) => name.startsWith('conduit_'));
    expect(documented.filter((name) => !used.has(name))).toEqual([]);
    expect(used.has('up')).toBe(true);
  });

  it('include the required alerts', () => {
    const rules = parseYaml(readFileSync(join(repoRoot, 'deploy', 'prometheus', 'rules', 'conduit-alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; expr: string; for?: string; labels?: { severity?: string } }> }>;
    };
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'ConduitBreakerOpen',
        'ConduitChatLatencySloBurn',
        'ConduitCostSpike',
        'ConduitDeadLetterGrowth',
        'ConduitDegraded',
        'ConduitHighErrorRatio',
        'ConduitHighLatencyP99',
        'ConduitJobFailureRatio',
        'ConduitProviderErrorRate',
        'ConduitQueueBacklog',
        'ConduitQueueOldestJobAge',
        'ConduitServiceDown',
        'ConduitWebhookFailureRatio',
      ].sort(),
    );
    for (const alert of alerts) {
      expect(alert.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(alert.labels?.severity);
    }
  });

  it('keep the Helm copy of the alert rules identical to the compose one', () => {
    expect(readFileSync(join(repoRoot, 'helm', 'conduit', 'files', 'conduit-alerts.yml'), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'deploy', 'prometheus', 'rules', 'conduit-alerts.yml'), 'utf8'),
    );
  });
});

describe('docs/metrics.md parsing', () => {
  const markdown = [
    '# Metrics',
    '| name | type |',
    '| --- | --- |',
    '| `conduit_a_total` | counter |',
    '| `nodejs_*` | mixed |',
    'Text that mentions `conduit_not_a_row` is not a row.',
    '## Not exported until wired',
    '- `conduit_later_total{stage}` and `conduit_later_seconds`',
  ].join('\n');

  it('reads table rows as names or prefix families, and the pending list apart', () => {
    const doc = documentedMetrics(markdown);
    expect([...doc.names]).toEqual(['conduit_a_total']);
    expect(doc.prefixes).toEqual(['nodejs_']);
    expect([...doc.pending].sort()).toEqual(['conduit_later_seconds', 'conduit_later_total']);
  });

  it('reports both directions: exported but undocumented, documented but not exported', () => {
    const doc = documentedMetrics(markdown);
    expect(compareWithDocs(new Set(['conduit_a_total', 'nodejs_heap_bytes']), doc)).toEqual({ undocumented: [], notExported: [] });
    expect(compareWithDocs(new Set(['conduit_b_total', 'conduit_later_total']), doc)).toEqual({
      undocumented: ['conduit_b_total', 'conduit_later_total'],
      notExported: ['conduit_a_total', 'nodejs_*'],
    });
  });

  it('documents every metric the dashboards and rules use', () => {
    const doc = documentedMetrics(readFileSync(METRICS_DOC, 'utf8'));
    const missing = [...referencedMetricNames()].filter(
      (name) => !PROMETHEUS_GENERATED_METRICS.has(name) && !doc.names.has(name) && !doc.prefixes.some((prefix) => name.startsWith(prefix)),
    );
    expect(missing).toEqual([]);
  });
});
