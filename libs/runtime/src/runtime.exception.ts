import type { InputProblemCode } from '@conduit/contracts';
import { ConduitException, ErrorStatusTable } from './conduit.exception';

/**
 * Codes raised by the runtime itself, in every app: body parsing, the input rules, validation, and
 * what the HTTP edge refuses before any route (framework, router and parser errors).
 */
export enum RuntimeErrorCode {
  /** The body is not JSON, or empty with a JSON content type. */
  InvalidJson = 'invalid_json',
  /** A body, query or path parameter failed its schema ({@link ZodPipe}). */
  InvalidRequest = 'invalid_request',
  /** Text with a NUL or an unpaired UTF-16 surrogate (input rules, `inspectInput`). */
  InvalidCharacters = 'invalid_characters',
  /** A JSON value nested deeper than the input rules allow. */
  JsonTooDeep = 'json_too_deep',
  /** A JSON value holding more values than the input rules allow. */
  JsonTooLarge = 'json_too_large',
  /** A model name outside the model-name schema (named by the schema issue, see {@link ZodPipe}). */
  InvalidModel = 'invalid_model',
  /** A malformed percent-encoding in the URL (router). */
  InvalidUrl = 'invalid_url',
  /** A path segment longer than the router accepts. */
  UriTooLong = 'uri_too_long',
  /** The HTTP parser refused the request (bad method, bad framing). */
  MalformedRequest = 'malformed_request',
  /** The request did not arrive within the request or headers timeout. */
  RequestTimeout = 'request_timeout',
  /** An `Expect` other than `100-continue`. */
  ExpectationFailed = 'expectation_failed',
  /** Request line and headers too large, or too many header fields. */
  HeadersTooLarge = 'headers_too_large',
  /** An HTTP/1.1 request without a Host header. */
  MissingHost = 'missing_host',
  /** A method no route serves at the edge (`CONNECT`). */
  MethodNotAllowed = 'method_not_allowed',
}

export class RuntimeException extends ConduitException<RuntimeErrorCode> {}

/**
 * A schema issue that names its own stable code (`params: { code }`, e.g. the gateway's
 * `invalid_range`), raised by {@link ZodPipe}. Its status comes from the app's table like any
 * code; a code the table lacks is still the caller's fault, so it answers 400, never 500.
 */
export class SchemaIssueException extends ConduitException {}

/** The code of each input-rule problem (`inspectInput` in contracts). */
export const INPUT_PROBLEM_CODES: Readonly<Record<InputProblemCode, RuntimeErrorCode>> = {
  invalid_characters: RuntimeErrorCode.InvalidCharacters,
  json_too_deep: RuntimeErrorCode.JsonTooDeep,
  json_too_large: RuntimeErrorCode.JsonTooLarge,
};

/** The runtime's part of every app's table (spread it into the app's own). */
export const RUNTIME_ERROR_STATUS: ErrorStatusTable<RuntimeErrorCode> = {
  [RuntimeErrorCode.InvalidJson]: 400,
  [RuntimeErrorCode.InvalidRequest]: 400,
  [RuntimeErrorCode.InvalidCharacters]: 400,
  [RuntimeErrorCode.JsonTooDeep]: 400,
  [RuntimeErrorCode.JsonTooLarge]: 400,
  [RuntimeErrorCode.InvalidModel]: 400,
  [RuntimeErrorCode.InvalidUrl]: 400,
  [RuntimeErrorCode.UriTooLong]: 414,
  [RuntimeErrorCode.MalformedRequest]: 400,
  [RuntimeErrorCode.RequestTimeout]: 408,
  [RuntimeErrorCode.ExpectationFailed]: 417,
  [RuntimeErrorCode.HeadersTooLarge]: 431,
  [RuntimeErrorCode.MissingHost]: 400,
  [RuntimeErrorCode.MethodNotAllowed]: 405,
};
