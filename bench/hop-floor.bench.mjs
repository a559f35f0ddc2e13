#!/usr/bin/env node
// npm run bench:hop-floor — the floor under the chat path's targets on this machine: what one
// no-op Node HTTP hop (node:http server forwarding with undici, no framework, no auth, no logging)
// costs in latency and CPU in front of mock-llm, at fixed rates, open loop. The Conduit path has
// two such hops plus its work; whatever one bare hop costs here, Conduit cannot cost less.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { benchEnv, cpuSeconds, fmt, machine, openLoop, startService, table } from './support.mjs';

const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer mock' };

if (process.argv[2] === '--hop') {
  // The hop itself, in its own process so its CPU can be read.
  const upstream = new Pool(process.argv[3], { connections: 512 });
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const answer = await upstream.request({ method: 'POST', path: request.url ?? '/', headers: HEADERS, body });
    const text = await answer.body.text();
    response.writeHead(answer.statusCode, { 'content-type': 'application/json' });
    response.end(text);
  });
  server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
} else {
  const RATES = (process.env.BENCH_RATES ?? '100,500,1000,1500').split(',').map(Number);
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
  const mock = await startService('mock-llm', { ...benchEnv(), MOCK_LLM_LATENCY_MS: '20', MOCK_LLM_TTFT_MS: '20', LOG_LEVEL: 'warn' });
  const hop = fork(fileURLToPath(import.meta.url), ['--hop', mock.url]);
  const port = await new Promise((resolve) => hop.once('message', resolve));
  const body = JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Say something short about latency.' }], max_tokens: 32 });
  const direct = { url: `${mock.url}/v1/chat/completions`, headers: HEADERS, body };
  const viaHop = { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: HEADERS, body };
  const rows = [];
  try {
    await openLoop({ ...viaHop, rate: 300, seconds: 4 }); // warm-up
    for (const rate of RATES) {
      const straight = await openLoop({ ...direct, rate, seconds: SECONDS });
      const hop0 = cpuSeconds(hop.pid);
      const mock0 = cpuSeconds(mock.child.pid);
      const self0 = process.cpuUsage();
      const through = await openLoop({ ...viaHop, rate, seconds: SECONDS });
      const self = process.cpuUsage(self0);
      const n = Math.max(1, through.completed);
      rows.push([
        `${rate}/s`,
        fmt(through.achieved, 0),
        fmt(through.p50 - straight.p50),
        fmt(through.p99 - straight.p99),
        fmt(((cpuSeconds(hop.pid) - hop0) * 1000) / n),
        fmt(((cpuSeconds(mock.child.pid) - mock0) * 1000) / n),
        fmt((self.user + self.system) / 1000 / n),
      ]);
    }
  } finally {
    hop.kill();
    await mock.stop();
  }
  console.log(`\n${machine()}\nmock-llm 20 ms; one bare Node hop in front of it vs mock-llm directly, open loop, ${SECONDS} s a rate\n`);
  console.log(table(['rate', 'achieved', 'hop adds p50 (ms)', 'hop adds p99 (ms)', 'hop CPU/req (ms)', 'mock CPU/req (ms)', 'load generator CPU/req (ms)'], rows));
  process.exit(0);
}
