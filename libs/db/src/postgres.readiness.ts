import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

const CHECK_TIMEOUT_MS = 1_000;

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  // Prisma errors start with an "Invalid `prisma.$queryRaw()` invocation:" preamble and wrap
  // the driver's text as "Raw query failed. Code: `…`. Message: `…`".
  const line = lines.find((l) => !/^invalid `.*` invocation:?$/i.test(l)) ?? 'unknown error';
  return /Message: `(.+)`\s*$/.exec(line)?.[1] ?? line;
}

/** Readiness of the Postgres pool: `SELECT 1` must answer within one second. */
@Injectable()
export class PostgresReadiness {
  readonly name = 'postgres';

  constructor(private readonly prisma: PrismaService) {}

  async check(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`postgres did not answer SELECT 1 within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const query = this.prisma.$queryRaw`SELECT 1`.then(
      () => undefined,
      (error: unknown) => {
        throw new Error(`postgres check failed: ${reason(error)}`);
      },
    );
    try {
      await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
      query.catch(() => undefined); // a late failure after the timeout must not go unhandled
    }
  }
}
