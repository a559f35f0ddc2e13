import { chooseStrategy, type Facts } from './services.cjs';

const none: Facts = { reachable: false, loopback: true, docker: false, installed: false };

describe('chooseStrategy: where Postgres and Redis come from for npm start and npm test', () => {
  it('uses a reachable service as it is, whatever else the machine has', () => {
    for (const docker of [true, false]) {
      for (const installed of [true, false]) {
        expect(chooseStrategy('postgres', '127.0.0.1:5432', { ...none, reachable: true, docker, installed })).toEqual({ strategy: 'use' });
      }
    }
    expect(chooseStrategy('redis', 'redis.internal:6379', { ...none, reachable: true, loopback: false })).toEqual({ strategy: 'use' });
  });

  it('starts a container when the service is not reachable and a Docker engine is, before any local server', () => {
    expect(chooseStrategy('postgres', '127.0.0.1:5432', { ...none, docker: true })).toEqual({ strategy: 'container' });
    expect(chooseStrategy('redis', '127.0.0.1:6379', { ...none, docker: true, installed: true })).toEqual({ strategy: 'container' });
  });

  it('starts the local server when there is no Docker engine but the server is installed', () => {
    expect(chooseStrategy('postgres', '127.0.0.1:5432', { ...none, installed: true })).toEqual({ strategy: 'local' });
    expect(chooseStrategy('redis', 'localhost:6379', { ...none, installed: true })).toEqual({ strategy: 'local' });
  });

  it('says what to do when there is neither a Docker engine nor a local server', () => {
    const choice = chooseStrategy('postgres', '127.0.0.1:5432', none);
    expect(choice.strategy).toBe('fail');
    expect(choice.message).toBe(
      'Postgres is not reachable at 127.0.0.1:5432, no Docker engine is running to start it in a container, and no Postgres server is ' +
        'installed here. Start Docker, or apt-get install -y postgresql (pgvector too), or set DATABASE_URL.',
    );
    expect(chooseStrategy('redis', '127.0.0.1:6379', none).message).toMatch(/apt-get install -y redis-server, or set REDIS_URL\.$/);
  });

  it('never replaces a remote service it cannot reach: the URL is wrong or the service is down', () => {
    expect(chooseStrategy('redis', 'cache.example.com:6379', { ...none, loopback: false, docker: true, installed: true })).toEqual({
      strategy: 'fail',
      message: 'Redis at cache.example.com:6379 is not reachable: check REDIS_URL',
    });
  });
});
