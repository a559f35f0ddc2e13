import { PostgresReadiness } from './postgres.readiness';
import type { PrismaService } from './prisma.service';

const fakePrisma = (queryRaw: () => Promise<unknown>) => ({ $queryRaw: queryRaw }) as unknown as PrismaService;

describe('PostgresReadiness', () => {
  afterEach(() => jest.useRealTimers());

  it('is named postgres and resolves when SELECT 1 answers', async () => {
    const readiness = new PostgresReadiness(fakePrisma(() => Promise.resolve([{ '?column?': 1 }])));
    expect(readiness.name).toBe('postgres');
    await expect(readiness.check()).resolves.toBeUndefined();
  });

  it('fails after one second when the query hangs', async () => {
    jest.useFakeTimers();
    const readiness = new PostgresReadiness(fakePrisma(() => new Promise(() => undefined)));
    const result = readiness.check();
    jest.advanceTimersByTime(999);
    let settled = false;
    void result.catch(() => undefined).finally(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    jest.advanceTimersByTime(1);
    await expect(result).rejects.toThrow('postgres did not answer SELECT 1 within 1000 ms');
  });

  it('reduces Prisma error text to the driver message, on one line', async () => {
    const prismaError = new Error(
      'Invalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can\'t reach database server at 127.0.0.1:1`',
    );
    const readiness = new PostgresReadiness(fakePrisma(() => Promise.reject(prismaError)));
    await expect(readiness.check()).rejects.toThrow(/^postgres check failed: Can't reach database server at 127\.0\.0\.1:1$/);
  });
});
