export type ServiceKind = 'postgres' | 'redis';
export interface Facts {
  reachable: boolean;
  loopback: boolean;
  docker: boolean;
  installed: boolean;
}
export interface Choice {
  strategy: 'use' | 'container' | 'local' | 'fail';
  message?: string;
}
export declare const IMAGES: { postgres: string; redis: string };
export declare function chooseStrategy(kind: ServiceKind, address: string, facts: Facts): Choice;
export declare function ensureServices(options: {
  databaseUrl: string;
  redisUrl: string;
  purpose: 'start' | 'test';
  log: (line: string) => void;
}): Promise<{ databaseUrl: string; redisUrl: string; stop(): Promise<void> }>;
