import { ConduitException } from '@conduit/runtime';

export enum ResponsesErrorCode {
  /** The response does not exist, was not stored (`store: false`), was deleted, or is not the caller's (never 403). */
  ResponseNotFound = 'response_not_found',
  /** A Responses API field or feature Conduit does not support (built-in tools, `background`, reasoning, ...), or an unknown field. */
  UnsupportedParameter = 'unsupported_parameter',
}

export class ResponsesException extends ConduitException<ResponsesErrorCode> {
  static notFound(id: string, param: string): ResponsesException {
    return new ResponsesException(ResponsesErrorCode.ResponseNotFound, `No response found with id '${id.slice(0, 100)}'.`, { param });
  }

  static unsupported(param: string, why: string): ResponsesException {
    return new ResponsesException(ResponsesErrorCode.UnsupportedParameter, `${param}: ${why}`, { param });
  }
}
