import { defineConfig } from 'prisma/config';

/**
 * Prisma 7 CLI configuration. The connection URL is only needed by commands that
 * talk to the database (`prisma migrate deploy` in containers, `db pull`, ...);
 * `prisma generate` must work without it, so a missing DATABASE_URL is not an
 * error here (unlike `env('DATABASE_URL')`, which throws).
 */
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] },
});
