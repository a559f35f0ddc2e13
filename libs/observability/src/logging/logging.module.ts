import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, type DestinationStream } from 'pino';
import { isSpanContextValid, trace } from '@opentelemetry/api';

export interface LoggingOptions {
  service: string;
  level: string;
  /**
   * Applied to every serialised log line before it is written (e.g. libs/guardrails'
   * `createLogScrubber`, which replaces personal data and secrets by value). The service core
   * passes one by default.
   */
  scrub?: (line: string) => string;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths whose values the logger replaces, so no caller has to remember to. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  '*.api_key',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.token',
  '*.email',
  '*.content',
  '*.messages',
  '*.prompt',
];

/** Accepts a caller's `x-request-id` when it is well formed; otherwise mints one. */
export function requestIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  const { traceId, spanId } = spanContext;
  return { trace_id: traceId, span_id: spanId };
}

const quietPaths = ['/health', '/metrics'];

let stdout: (DestinationStream & { flushSync(): void }) | undefined;

/**
 * Standard output, written asynchronously: lines logged while a write is in flight go out
 * together in the next one, instead of one blocking write(2) per line (a request log line per
 * request was a visible share of the gateway's CPU under load). Nothing waits for traffic: a line
 * is written as soon as the previous write finishes. What is buffered is flushed on exit.
 */
function stdoutDestination(): DestinationStream {
  if (!stdout) {
    const stream = destination({ dest: 1, sync: false });
    process.once('exit', () => {
      try {
        stream.flushSync();
      } catch {
        // A write still in flight: it completes on its own.
      }
    });
    stdout = stream;
  }
  return stdout;
}

@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: [
            {
              level: options.level,
              base: { service: options.service },
              messageKey: 'msg',
              timestamp: () => `,"time":"${new Date().toISOString()}"`,
              formatters: { level: (label: string) => ({ level: label }) },
              mixin: traceFields,
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              ...(options.scrub ? { hooks: { streamWrite: options.scrub } } : {}),
              genReqId: (req: IncomingMessage, res: ServerResponse) => {
                const existing = (req as IncomingMessage & { id?: string }).id;
                const id = typeof existing === 'string' ? existing : requestIdFor(req.headers['x-request-id']);
                res.setHeader('x-request-id', id);
                return id;
              },
              customProps: (req: IncomingMessage) => ({ request_id: (req as IncomingMessage & { id?: string }).id }),
              autoLogging: {
                ignore: (req: IncomingMessage) => {
                  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
                  return quietPaths.some((path) => url.startsWith(path));
                },
              },
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({ method: req.method, url: req.url }),
                res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
              },
            },
            stdoutDestination(),
          ],
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
