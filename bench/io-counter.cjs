// Preloaded into each service by bench:jobs (NODE_OPTIONS=--require): counts the Postgres
// statements (every pg `Client.query`, Prisma's included) and the Redis commands and round trips
// (a pipeline or MULTI is one) the process sends, and writes the counts as JSON to
// `$BENCH_IO_COUNTS_DIR/<pid>.json` on SIGUSR2. Counting is a few increments: it does not change
// what is measured. Resolved from the bench's own tree, so it patches the modules the services load.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const counts = { pg_statements: 0, redis_commands: 0, redis_round_trips: 0 };
try {
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function countedQuery(...args) {
    counts.pg_statements += 1;
    return query.apply(this, args);
  };
} catch {
  // no pg in this tree
}
try {
  const ioredis = require('ioredis');
  const Redis = ioredis.Redis ?? ioredis.default ?? ioredis;
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function countedCommand(command, stream, ...rest) {
    counts.redis_commands += 1;
    if (!stream) counts.redis_round_trips += 1;
    return sendCommand.call(this, command, stream, ...rest);
  };
  const Pipeline = require('ioredis/built/Pipeline').default;
  const exec = Pipeline.prototype.exec;
  Pipeline.prototype.exec = function countedExec(...args) {
    counts.redis_round_trips += 1;
    return exec.apply(this, args);
  };
} catch {
  // no ioredis in this tree
}
process.on('SIGUSR2', () => {
  if (process.env.BENCH_IO_COUNTS_DIR) writeFileSync(join(process.env.BENCH_IO_COUNTS_DIR, `${process.pid}.json`), JSON.stringify(counts));
});
