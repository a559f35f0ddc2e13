import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { proxyFor, TcpProxy } from './support/tcp-proxy';

describe('gateway without Redis: fails closed, fast, with a clear code', () => {
  let redisProxy: TcpProxy;
  let platform: ChatPlatform;
  let alice: TenantWithUser;

  const chat = () =>
    fetch(`${platform.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: alice.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'are you there?' }] }),
      signal: AbortSignal.timeout(10_000),
    });

  beforeAll(async () => {
    redisProxy = proxyFor(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 6379);
    await redisProxy.open();
    platform = await startChatPlatform({}, { gatewayEnv: { REDIS_URL: redisProxy.rewrite(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') } });
    alice = await createTenantWithUser(platform.prisma);
  });

  afterAll(async () => {
    if (platform) {
      await removeTenants(platform.prisma, [alice.tenant]);
      await platform.stop();
    }
    await redisProxy?.close();
  });

  it('answers 503 usage_controls_unavailable within seconds while Redis is down, and recovers', async () => {
    expect((await chat()).status).toBe(200);
    await redisProxy.close();
    const started = Date.now();
    const down = await chat();
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('usage_controls_unavailable');
    expect(Date.now() - started).toBeLessThan(3_000);
    await redisProxy.open();
    await waitFor(chat, { what: 'chat to answer 200 with Redis back', until: (response) => response.status === 200, timeoutMs: 20_000 });
  });
});
