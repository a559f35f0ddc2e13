import { readFileSync } from 'node:fs';
import {
  METRICS_DOC,
  PROMETHEUS_GENERATED_METRICS,
  baseMetricName,
  compareWithDocs,
  documentedMetrics,
  referencedMetricNames,
} from '../scripts/deploy-checks/metric-references';
import { RunningService, ServiceName, startReady } from './support/service-process';

/** Metric family names a live `/metrics` page declares (`# TYPE <name> <kind>`). */
function exportedNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const line of page.split('\n')) {
    const match = /^# TYPE (\S+) \S+/.exec(line);
    if (match) names.add(baseMetricName(match[1]));
  }
  return names;
}

describe('metrics: a live scrape of every service against the docs, dashboards and alert rules', () => {
  const services: RunningService[] = [];
  const exported = new Set<string>();

  beforeAll(async () => {
    const names: ServiceName[] = ['api-gateway', 'chat-orchestrator', 'billing', 'eval-worker', 'ingestion-worker', 'mock-llm'];
    // One at a time, each kept as soon as it runs, so a failure leaves nothing behind.
    for (const name of names) services.push(await startReady(name, { VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' }));
    for (const service of services) {
      for (const name of exportedNames(await (await fetch(`${service.url}/metrics`)).text())) exported.add(name);
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
  });

  it('finds every metric the dashboards and alert rules use', () => {
    const referenced = [...referencedMetricNames()].filter((name) => !PROMETHEUS_GENERATED_METRICS.has(name));
    expect(referenced.length).toBeGreaterThan(15);
    const missing = referenced.filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
  });

  it('matches docs/metrics.md both ways: nothing documented that is not exported, nothing exported undocumented', () => {
    const doc = documentedMetrics(readFileSync(METRICS_DOC, 'utf8'));
    expect(doc.names.size).toBeGreaterThan(20);
    expect(compareWithDocs(exported, doc)).toEqual({ undocumented: [], notExported: [] });
    // A name waiting to be wired must really be missing; once exported it belongs in a table.
    expect([...doc.pending].filter((name) => exported.has(name))).toEqual([]);
  });
});
