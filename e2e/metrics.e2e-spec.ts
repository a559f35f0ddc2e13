import { PROMETHEUS_GENERATED_METRICS, baseMetricName, referencedMetricNames } from '../scripts/deploy-checks/metric-references';
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

describe('dashboards and alert rules only use metrics the services export', () => {
  const services: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
  });

  it('finds every referenced metric in a live scrape of the services', async () => {
    const names: ServiceName[] = ['api-gateway', 'chat-orchestrator', 'billing', 'eval-worker', 'mock-llm'];
    services.push(...(await Promise.all(names.map((name) => startReady(name)))));
    const exported = new Set<string>();
    for (const service of services) {
      for (const name of exportedNames(await (await fetch(`${service.url}/metrics`)).text())) exported.add(name);
    }
    const referenced = [...referencedMetricNames()].filter((name) => !PROMETHEUS_GENERATED_METRICS.has(name));
    expect(referenced.length).toBeGreaterThan(5);
    const missing = referenced.filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
  }, 120_000);
});
