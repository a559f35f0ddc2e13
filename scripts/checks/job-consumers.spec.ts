import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Type } from '@nestjs/common';
import { JobName } from '@conduit/contracts';
import { checkJobConsumers, JobHandler, jobOfHandlerClass } from '@conduit/queue';

/*
 * Every queue job is consumed by exactly one service. Each service lists the handlers its worker
 * registers in `apps/<service>/src/worker.handlers.ts` (`WORKER_HANDLERS`, passed to
 * `QueueModule.forWorker`); this builds those lists and checks them together. The per-service
 * half (no job without a handler on a consumed queue, no job with two handlers) runs when each
 * service starts (`buildJobRegistry`).
 */

const root = join(__dirname, '..', '..');
const apps = readdirSync(join(root, 'apps')).filter((app) => existsSync(join(root, 'apps', app, 'src')));
const HANDLERS_FILE = 'worker.handlers.ts';

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourcesOf(path);
    return entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Each service's worker handler list, as its app module registers it. */
function workerHandlers(): Record<string, Type<JobHandler>[]> {
  const consumers: Record<string, Type<JobHandler>[]> = {};
  for (const app of apps) {
    const file = join(root, 'apps', app, 'src', HANDLERS_FILE);
    if (!existsSync(file)) continue;
    consumers[app] = (require(file) as { WORKER_HANDLERS: Type<JobHandler>[] }).WORKER_HANDLERS;
  }
  return consumers;
}

describe('queue jobs: one consuming service per job', () => {
  const consumers = workerHandlers();

  it('finds every job name consumed by exactly one service', () => {
    const owners = checkJobConsumers(consumers);
    expect(Object.fromEntries(owners)).toEqual({
      [JobName.UsageRecord]: 'billing',
      [JobName.UsageRecordBatch]: 'billing',
      [JobName.WebhookDeliver]: 'billing',
      [JobName.DocumentIngest]: 'ingestion-worker',
      [JobName.JobExecute]: 'chat-orchestrator',
      [JobName.EvalTurn]: 'eval-worker',
      [JobName.MemoryExtract]: 'chat-orchestrator',
      [JobName.SessionSummarize]: 'chat-orchestrator',
    });
  });

  it('fails when a second service registers a handler for a job that is already consumed', () => {
    const [usageHandler] = consumers['billing'].filter((handler) => jobOfHandlerClass(handler) === JobName.UsageRecord);
    const withSecondConsumer = { ...consumers, 'api-gateway': [usageHandler] };
    expect(() => checkJobConsumers(withSecondConsumer)).toThrow('job "usage.record" is consumed by 2 services: billing, api-gateway (one service consumes a job)');
  });

  it('fails when a job has no consumer, or a handler has no @HandlesJob', () => {
    const withoutIngestion = { ...consumers, 'ingestion-worker': [] };
    expect(() => checkJobConsumers(withoutIngestion)).toThrow('job "document.ingest" has no consuming service');
    class Undeclared implements JobHandler {
      handle = async () => undefined;
    }
    expect(() => checkJobConsumers({ ...consumers, 'eval-worker': [Undeclared] })).toThrow('eval-worker: Undeclared has no @HandlesJob(...) decorator');
  });

  it.each(apps)('%s: every @HandlesJob class is in its WORKER_HANDLERS, and only that list reaches QueueModule.forWorker', (app) => {
    const sources = sourcesOf(join(root, 'apps', app, 'src'));
    const declared = sources.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/@HandlesJob\(JobName\.(\w+)\)/g)].map((m) => JobName[m[1] as keyof typeof JobName]));
    const listed = (consumers[app] ?? []).map((handler) => jobOfHandlerClass(handler));
    expect({ app, jobs: [...listed].sort() }).toEqual({ app, jobs: [...declared].sort() });
    for (const file of sources) {
      for (const call of readFileSync(file, 'utf8').matchAll(/QueueModule\.forWorker\(\s*([^,)\s]+)/g)) {
        expect({ file: relative(root, file), handlers: call[1] }).toEqual({ file: relative(root, file), handlers: 'WORKER_HANDLERS' });
      }
    }
  });
});
