import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { inspectInput } from '@conduit/contracts';
import { currentTraceId, httpRequestDuration, requestIdFor, shutdownTelemetry, StartupChatterLogger } from '@conduit/observability';
import type { ErrorStatusTable } from './conduit.exception';
import { clientErrorHandler, DEFAULT_HTTP_LIMITS, frameworkErrorHandler, HttpLimits, httpServerOptions, installHttpEdge } from './http-edge';
import { OpenAiErrorFilter } from './openai-error.filter';
import { INPUT_PROBLEM_CODES, RUNTIME_ERROR_STATUS, RuntimeErrorCode, RuntimeException } from './runtime.exception';

export interface ServiceBootstrapOptions {
  /** Service name used in logs and the listening message. */
  name: string;
  module: Type | DynamicModule;
  port: number;
  host: string;
  shutdownTimeoutMs: number;
  bodyLimitBytes?: number;
  /** Timeouts and header limits of the HTTP server (`HTTP_*` variables); defaults otherwise. */
  httpLimits?: HttpLimits;
  /** A prebuilt Fastify instance (e.g. mock-llm registers its wire routes on it). */
  fastify?: FastifyInstance;
  /**
   * The app's error code → HTTP status table (default: the runtime's codes only). The one error
   * filter renders with it, also what fails before Nest: router errors, parser errors, `Expect`,
   * `CONNECT`.
   */
  errors?: ErrorStatusTable;
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

type RawWithId = { id?: string };

/**
 * Fastify's JSON parser errors reach Nest as a bare 400 without their code; this parser raises
 * our own exception so a malformed body always answers `invalid_json`. A parsed body is then held
 * to the input rules (`inspectInput`: no NUL or unpaired surrogate in any text, bounded nesting
 * and size) before any route sees it.
 */
function installJsonParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new RuntimeException(RuntimeErrorCode.InvalidJson, 'Request body is empty but content-type is application/json.'), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'parse error';
      done(new RuntimeException(RuntimeErrorCode.InvalidJson, `Request body is not valid JSON: ${detail}`), undefined);
      return;
    }
    const problem = inspectInput(value);
    if (problem) {
      done(new RuntimeException(INPUT_PROBLEM_CODES[problem.code], problem.message, { param: problem.param }), undefined);
      return;
    }
    done(null, value);
  });
}

/**
 * Creates a Conduit HTTP service on Fastify: request ids shared by Fastify and the logger,
 * latency metrics per route, one error shape, and a graceful shutdown on SIGTERM/SIGINT that
 * stops accepting, lets modules finish or release in-flight work, closes pools and flushes traces,
 * with a hard deadline.
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<NestFastifyApplication> {
  const filter = new OpenAiErrorFilter(options.errors ?? RUNTIME_ERROR_STATUS);
  const limits = options.httpLimits ?? DEFAULT_HTTP_LIMITS;
  const adapter = options.fastify
    ? new FastifyAdapter(options.fastify)
    : new FastifyAdapter({
        bodyLimit: options.bodyLimitBytes ?? 1_048_576,
        genReqId: (request: IncomingMessage) => requestIdFor(request.headers['x-request-id']),
        ...httpServerOptions(limits),
        frameworkErrors: frameworkErrorHandler(filter),
        clientErrorHandler: clientErrorHandler(filter),
      });
  const fastify = adapter.getInstance();
  if (!options.fastify) installJsonParser(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    (request.raw as RawWithId).id = request.id;
    reply.header('x-request-id', request.id);
    // Lets a caller (or an SRE holding a response) jump straight to the trace in Jaeger.
    const traceId = currentTraceId();
    if (traceId) reply.header('x-trace-id', traceId);
    done();
  });
  // After the request-id hook, so that what the edge refuses still carries the id.
  if (!options.fastify) installHttpEdge(fastify, filter, limits);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1_000,
    );
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    bufferLogs: true,
    // Our JSON parser replaces Nest's (see installJsonParser); a prebuilt instance keeps its own.
    bodyParser: Boolean(options.fastify),
  });
  // Nest's start-up lines (module wiring, every mapped route) at debug; ours stay at info.
  app.useLogger(new StartupChatterLogger(app.get(Logger)));
  app.useGlobalFilters(filter);
  await options.configure?.(app);
  await app.listen(options.port, options.host);

  const logger = new NestLogger(options.name);
  logger.log(`${options.name} listening on http://${options.host}:${options.port}`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown did not finish within ${options.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, options.shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.close();
      await shutdownTelemetry();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
  return app;
}
