import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OnModuleDestroy } from '@nestjs/common';
import { DocumentFailureCode, DocumentLimitError } from './document-limits';
import { fromProcessingFailure, ProcessedDocument, ProcessingFailure, ProcessingRequest } from './document-processor';

export interface DocumentProcessorPoolOptions {
  /** Threads kept between documents (the worker's concurrency); more are started when needed. */
  threads: number;
  /** Heap ceiling of each thread, in MB: past it the document fails `document_too_large`. */
  memoryMb: number;
}

type Reply = { ok: true; result: ProcessedDocument } | { ok: false; failure: ProcessingFailure };
/** What a thread posts once, when its modules and the tokenizer's vocabulary are loaded. */
type Ready = { ready: true };

const ENTRY = join(__dirname, `document-processor.thread${extname(__filename)}`);

/**
 * From TypeScript sources (jest) the thread compiles its modules with SWC as they load, as the
 * test transform does; built services run the compiled `.js` entry directly.
 */
const SOURCE_BOOTSTRAP = `
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { workerData } = require('node:worker_threads');
const local = createRequire(workerData.entry);
const { transformSync } = local('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename, swcrc: false, sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
local(workerData.entry);
`;

/**
 * Runs parse → clean → chunk ({@link processDocument}) in worker threads, so the service's event
 * loop (`/health`, BullMQ lock renewals, the other documents) never waits on a document's CPU work,
 * and a document can be stopped at any point: aborting the signal terminates its thread, which
 * interrupts even a synchronous loop inside pdf.js or the tokenizer. A thread that exceeds its heap
 * ceiling dies alone. Finished threads are kept for the next document; a stopped one is replaced.
 */
export class DocumentProcessorPool implements OnModuleDestroy {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  /** Settles when the thread has started and warmed up (or died trying). */
  private readonly started = new WeakMap<Worker, Promise<void>>();
  private closed = false;

  constructor(private readonly options: DocumentProcessorPoolOptions) {}

  /** Rejects with `signal.reason` when aborted (the thread is terminated), with `DocumentParseError` / `DocumentLimitError` for the document's own failures. */
  process(request: ProcessingRequest, signal: AbortSignal): Promise<ProcessedDocument> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const worker = this.idle.pop() ?? this.spawn();
    this.busy.add(worker);
    return new Promise<ProcessedDocument>((resolve, reject) => {
      const settle = (keep: boolean, outcome: () => void) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
        this.busy.delete(worker);
        if (keep && this.idle.length < this.options.threads) this.idle.push(worker);
        else void worker.terminate();
        // A thread that was stopped is replaced at once, so the next document does not wait for a start.
        if (!keep && !this.closed && this.size < this.options.threads) this.idle.push(this.spawn());
        outcome();
      };
      const onMessage = (reply: Reply | Ready) => 'ready' in reply || settle(true, () => (reply.ok ? resolve(reply.result) : reject(fromProcessingFailure(reply.failure))));
      const onError = (error: Error & { code?: string }) =>
        settle(false, () =>
          reject(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new DocumentLimitError(
                  DocumentFailureCode.DocumentTooLarge,
                  `processing the document needs more than ${this.options.memoryMb} MB of memory (INGEST_PROCESSING_MEMORY_MB)`,
                )
              : error,
          ),
        );
      const onExit = (code: number) => settle(false, () => reject(new Error(`the document processing thread exited with code ${code}`)));
      const onAbort = () => settle(false, () => reject(signal.reason as Error));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      // The bytes are copied into a buffer of their own and moved, not cloned: a Buffer may be a
      // view of a shared pool that must not be detached.
      const bytes = new Uint8Array(request.bytes.byteLength);
      bytes.set(request.bytes);
      worker.postMessage({ ...request, bytes }, [bytes.buffer]);
    });
  }

  /**
   * Waits until a thread is started and warmed up, starting one if none is idle. A document's
   * deadline begins after this, so it counts the document's own processing, never a thread's
   * start-up (seconds on a loaded machine, after a stopped thread was replaced).
   */
  async ready(): Promise<void> {
    if (this.closed) return;
    let worker = this.idle[this.idle.length - 1];
    if (!worker) {
      worker = this.spawn();
      this.idle.push(worker);
    }
    await this.started.get(worker);
  }

  /** Threads alive now (idle and busy). */
  get size(): number {
    return this.idle.length + this.busy.size;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    await Promise.all(all.map((worker) => worker.terminate()));
  }

  private spawn(): Worker {
    const resourceLimits = { maxOldGenerationSizeMb: this.options.memoryMb };
    const worker = ENTRY.endsWith('.ts')
      ? new Worker(SOURCE_BOOTSTRAP, { eval: true, workerData: { entry: ENTRY }, resourceLimits })
      : new Worker(ENTRY, { resourceLimits });
    this.started.set(
      worker,
      new Promise<void>((resolve) => {
        const done = () => {
          worker.off('message', onReady);
          resolve();
        };
        const onReady = (message: Reply | Ready) => 'ready' in message && done();
        worker.on('message', onReady);
        worker.once('exit', done);
      }),
    );
    // Failures while a document runs are handled by process(); an idle thread that dies just leaves.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
    });
    // Idle threads do not keep the process alive; a running document is awaited by its job.
    worker.unref();
    return worker;
  }
}
