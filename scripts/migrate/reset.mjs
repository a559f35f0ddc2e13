// `reset`: drop and recreate the project's schemas, then deploy (refused in production without --force).
import { readFile } from 'node:fs/promises';
import { CliError, ensureDatabase, quoteIdent, withClient } from './connection.mjs';
import { deploy } from './deploy.mjs';
import { projectSchemas, SCHEMA_PATH } from './migrations.mjs';

export async function reset(conn, force) {
  if (process.env.NODE_ENV === 'production' && !force) {
    throw new CliError('refusing to reset a database with NODE_ENV=production (pass --force to override)');
  }
  await ensureDatabase(conn);
  const schemas = projectSchemas(await readFile(SCHEMA_PATH, 'utf8'), conn);
  await withClient(conn, conn.config.database, async (client) => {
    for (const schema of schemas) {
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    }
  });
  console.log(`Reset schema(s) ${schemas.map((s) => `"${s}"`).join(', ')} on ${conn.display}.`);
  await deploy(conn);
}
