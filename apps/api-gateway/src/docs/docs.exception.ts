import { ConduitException } from '@conduit/runtime';

export enum DocsErrorCode {
  /** No such Swagger UI asset. */
  AssetNotFound = 'not_found',
}

export class DocsException extends ConduitException<DocsErrorCode> {}
