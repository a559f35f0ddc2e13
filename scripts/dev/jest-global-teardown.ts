import { STARTED } from './jest-global-setup';

/** Stops the containers the global setup started, if any (testcontainers' reaper would too, later). */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis as typeof globalThis & { [STARTED]?: { stop(): Promise<void> }[] };
  const started = state[STARTED] ?? [];
  delete state[STARTED];
  await Promise.all(started.map((services) => services.stop()));
}
