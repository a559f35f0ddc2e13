/** Base class of every error the vector stores raise on purpose (bad input, missing space, …). */
export class VectorStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A vector's length does not match the space, or a space exists with another dimension. */
export class VectorDimensionError extends VectorStoreError {}

/** The space was never created (call `ensureSpace` first) or was dropped. */
export class VectorSpaceNotFoundError extends VectorStoreError {
  constructor(readonly space: string) {
    super(`vector space "${space}" does not exist (call ensureSpace first)`);
  }
}

/** An upsert would overwrite a point id that belongs to another tenant; nothing was written. */
export class VectorTenantConflictError extends VectorStoreError {
  constructor(
    readonly space: string,
    readonly ids: string[],
  ) {
    super(
      `vector space "${space}": ${ids.length} point id(s) already belong to another tenant (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}); nothing was written`,
    );
  }
}

/** Malformed input: a bad space name, id, limit, payload or vector value. */
export class InvalidVectorInputError extends VectorStoreError {}
