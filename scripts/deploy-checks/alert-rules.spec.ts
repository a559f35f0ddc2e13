import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

const repoRoot = join(__dirname, '..', '..');
const RULES = join(repoRoot, 'deploy', 'prometheus', 'rules', 'conduit-alerts.yml');
const RUNBOOK = join(repoRoot, 'docs', 'runbook.md');

interface AlertRule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}

function alerts(): AlertRule[] {
  const file = parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return file.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
}

/** GitHub's anchor of a markdown heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** Labels an alert's series keep: those of its `by (...)` clauses, or every label when it has none. */
function keptLabels(expr: string): Set<string> | undefined {
  const lists = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].map((match) => match[1].split(',').map((label) => label.trim()));
  if (lists.length === 0) return undefined;
  return new Set(lists.flat().filter(Boolean));
}

describe('alert rules', () => {
  it('include the alerts the platform team asked for', () => {
    expect(alerts().map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'ConduitProviderErrorRate',
        'ConduitBreakerOpen',
        'ConduitChatLatencySloBurn',
        'ConduitQueueOldestJobAge',
        'ConduitDeadLetterGrowth',
        'ConduitWebhookFailureRatio',
        'ConduitCostSpike',
        'ConduitJobFailureRatio',
        'ConduitDegraded',
      ]),
    );
  });

  it('each link to a section of docs/runbook.md that exists', () => {
    const anchors = new Set(
      readFileSync(RUNBOOK, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('#'))
        .map((line) => anchorOf(line.replace(/^#+/, ''))),
    );
    const broken = alerts()
      .map((rule) => ({ alert: rule.alert, url: rule.annotations.runbook_url ?? '' }))
      .filter(({ url }) => !/\/docs\/runbook\.md#[a-z0-9-]+$/.test(url) || !anchors.has(url.split('#')[1]));
    expect(broken).toEqual([]);
  });

  it('only use, in their annotations, labels their expression keeps', () => {
    const wrong: string[] = [];
    for (const rule of alerts()) {
      const kept = keptLabels(rule.expr);
      if (kept === undefined) continue;
      const text = Object.values(rule.annotations).join('\n');
      for (const [, label] of text.matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
        if (!kept.has(label)) wrong.push(`${rule.alert}: $labels.${label}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('catch the label ConduitJobFailureRatio used to name after it was dropped', () => {
    expect(keptLabels('sum by (queue, job_name) (rate(x[5m]))')).toEqual(new Set(['queue', 'job_name']));
    const rule = alerts().find((r) => r.alert === 'ConduitJobFailureRatio');
    expect(rule?.annotations.summary).toContain('$labels.job_name');
  });
});

describe('docs/runbook.md', () => {
  it('sends readers to dashboards and panels that exist', () => {
    const dir = join(repoRoot, 'deploy', 'grafana', 'dashboards');
    const panels = new Map<string, Set<string>>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { title: string; panels: { title: string }[] };
      panels.set(dashboard.title, new Set(dashboard.panels.map((panel) => panel.title)));
    }
    const text = readFileSync(RUNBOOK, 'utf8').replace(/\n/g, ' ');
    const references = [...text.matchAll(/(Conduit(?: \/ [A-Za-z ]+?| \(overview\))) → ((?:"[^"]+"(?:, )?)+)/g)];
    expect(references.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const [, title, list] of references) {
      const dashboard = panels.get(title === 'Conduit (overview)' ? 'Conduit' : title);
      for (const [, panel] of list.matchAll(/"([^"]+)"/g)) if (!dashboard?.has(panel)) missing.push(`${title} → ${panel}`);
    }
    expect(missing).toEqual([]);
  });
});
