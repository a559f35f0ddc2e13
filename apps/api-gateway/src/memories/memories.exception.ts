import { ConduitException } from '@conduit/runtime';

export enum MemoriesErrorCode {
  /** The memory does not exist, or is not the caller's (never 403: existence is not revealed). */
  MemoryNotFound = 'memory_not_found',
  /** The caller has the most memories a user may keep. */
  MemoryLimitReached = 'memory_limit_reached',
  /** `after` names no memory of the caller (status shared with the other lists' `invalid_cursor`). */
  InvalidCursor = 'invalid_cursor',
  /** The vector store or embedder is down (status shared with documents' `dependency_unavailable`). */
  DependencyUnavailable = 'dependency_unavailable',
}

export class MemoriesException extends ConduitException<MemoriesErrorCode> {
  static notFound(id: string): MemoriesException {
    return new MemoriesException(MemoriesErrorCode.MemoryNotFound, `No memory found with id '${id}'.`, { param: 'id' });
  }

  static limitReached(max: number): MemoriesException {
    return new MemoriesException(MemoriesErrorCode.MemoryLimitReached, `You have ${max} memories, the most a user may keep; delete some first.`);
  }

  static invalidCursor(): MemoriesException {
    return new MemoriesException(MemoriesErrorCode.InvalidCursor, "'after' does not name one of your memories.", { param: 'after' });
  }

  static unavailable(): MemoriesException {
    return new MemoriesException(
      MemoriesErrorCode.DependencyUnavailable,
      'The memory store is unavailable right now; the change is recorded and its vectors will follow. Try again later.',
    );
  }
}
