import { Inject, Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@conduit/observability';
import { VECTOR_STORE } from './vector-store.constants';
import type { VectorStore } from './vector-store';

export const VECTOR_STORE_READINESS_TIMEOUT_MS = 2_000;

/** Readiness of the vector store: `ping()` must resolve within two seconds. */
@Injectable()
export class VectorStoreReadiness implements ReadinessCheck {
  readonly name = 'vector-store';

  constructor(@Inject(VECTOR_STORE) private readonly store: VectorStore) {}

  async check(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ping = this.store.ping();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.store.kind} vector store did not answer within ${VECTOR_STORE_READINESS_TIMEOUT_MS} ms`)),
        VECTOR_STORE_READINESS_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
      ping.catch(() => undefined); // a late failure after the timeout must not go unhandled
    }
  }
}
