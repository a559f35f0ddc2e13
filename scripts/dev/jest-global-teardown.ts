import { STARTED } from './jest-global-setup';

/** Stops the containers the global setup started, if any (testcontainers' reaper would too, later). */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis as typeof globalThis & { [STARTED]?: { stop(): Promise<void> } };
  await state[STARTED]?.stop();
  delete state[STARTED];
}
