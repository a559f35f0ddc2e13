import type { LoggerService } from '@nestjs/common';
import { StartupChatterLogger } from './startup-chatter.logger';

function recording() {
  const calls: [string, unknown[]][] = [];
  const record = (level: string) => (...args: unknown[]) => void calls.push([level, args]);
  const inner: LoggerService = { log: record('info'), error: record('error'), warn: record('warn'), debug: record('debug'), verbose: record('verbose'), fatal: record('fatal') };
  return { calls, logger: new StartupChatterLogger(inner) };
}

describe('StartupChatterLogger', () => {
  it.each(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'])('logs Nest %s lines at debug', (context) => {
    const { calls, logger } = recording();
    logger.log('AppModule dependencies initialized', context);
    expect(calls).toEqual([['debug', ['AppModule dependencies initialized', context]]]);
  });

  it("keeps the app's own info lines, and every warning and error, at their level", () => {
    const { calls, logger } = recording();
    logger.log('api-gateway listening on http://0.0.0.0:8080', 'api-gateway');
    logger.log({ queue: 'usage' }, 'consuming queue');
    logger.warn('slow', 'RouterExplorer');
    logger.error('broken', 'stack', 'InstanceLoader');
    expect(calls.map(([level]) => level)).toEqual(['info', 'info', 'warn', 'error']);
  });
});
