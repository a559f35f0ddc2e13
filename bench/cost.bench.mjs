#!/usr/bin/env node
// npm run bench:cost — the two cost levers of issue 20, in-process (no services, no build: the
// TypeScript sources are loaded with jiti, which eslint and prisma already install):
// 1. routing: cost per 1,000 requests of the shipped labelled set (bench/data/routing-requests.jsonl,
//    320 requests, trivial → hard) with routing off (every request on the large tier) and on (the
//    built-in complexity scorer, default thresholds), at the price table's prices (the seed
//    migrations' model_prices rows); the share of requests per tier and of each label per tier;
//    the share of hard requests sent to the small tier; routing CPU per request.
// 2. prompt caching: input cost of a 20-turn conversation with a 2,000-token system prompt, with
//    caching off and on, at Anthropic's cache prices: requests are shaped by the Anthropic mapping
//    (libs/llm) and their cache reads/writes come from mock-llm's prompt-cache simulator.
// Token counts: routing uses ~chars/4 for input and a fixed output per label (trivial 20, easy 60,
// medium 300, hard 800: the same with routing off and on); caching uses mock-llm's token count.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJiti } from 'jiti';
import { fmt, machine, root, table } from './support.mjs';

const jiti = createJiti(import.meta.url, { alias: { '@conduit/contracts': join(root, 'libs/contracts/src/index.ts') } });
const { decideRoute, estimateRequestTokens } = await jiti.import(join(root, 'libs/llm/src/routing/route-policy.ts'));
const { routingSectionSchema } = await jiti.import(join(root, 'libs/contracts/src/routing-policy.schema.ts'));
const { PricingTable } = await jiti.import(join(root, 'libs/budget/src/pricing/pricing-table.ts'));
const { toAnthropicParams } = await jiti.import(join(root, 'libs/llm/src/providers/anthropic.mapping.ts'));
const { PromptCacheSimulator } = await jiti.import(join(root, 'libs/mock-llm/src/core/prompt-cache.ts'));
const { countTokens } = await jiti.import(join(root, 'libs/mock-llm/src/core/token-count.ts'));

/** The price table: every seeded `model_prices` row of the migrations. */
function seededPrices() {
  const rows = {};
  const dir = join(root, 'prisma/migrations');
  const row = /\(gen_random_uuid\(\),\s*'([^']+)',\s*'(\d{4}-\d{2}-\d{2})',\s*([\d.]+),\s*([\d.]+),\s*([\d.]+|NULL)\s*\)/g;
  for (const name of readdirSync(dir).sort()) {
    let sql;
    try {
      sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
    } catch {
      continue;
    }
    for (const [, model, from, input, output, cached] of sql.matchAll(row)) {
      (rows[model] ??= []).push({
        effective_from: from,
        input: Number(input),
        output: Number(output),
        ...(cached === 'NULL' ? {} : { cached_input: Number(cached) }),
      });
    }
  }
  return new PricingTable(rows);
}

const prices = seededPrices();
const TIERS = { small: 'gpt-4.1-mini', medium: 'gpt-4.1', large: 'claude-sonnet-4-6' };
const LABELS = ['trivial', 'easy', 'medium', 'hard'];
const requests = readFileSync(join(root, 'bench/data/routing-requests.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));

// ---- routing ----
const policy = routingSectionSchema.parse({ mode: 'complexity', tiers: TIERS });
const routingInput = (r) => ({ messages: r.messages, tools: r.tools, responseFormat: false, apiKeyId: null, userTier: null, metadata: {}, template: null });
const costOf = (model, r) => prices.costOf(model, { input_tokens: estimateRequestTokens(r.messages), output_tokens: r.output_tokens, cached_tokens: 0 }).usd;

let off = 0;
let on = 0;
const perTier = { small: 0, medium: 0, large: 0 };
const perLabel = Object.fromEntries(LABELS.map((l) => [l, { small: 0, medium: 0, large: 0, n: 0 }]));
for (const r of requests) {
  const decision = decideRoute(policy, 'default', routingInput(r));
  off += costOf(TIERS.large, r);
  on += costOf(decision.applied, r);
  perTier[decision.tier]++;
  perLabel[r.label][decision.tier]++;
  perLabel[r.label].n++;
}
const n = requests.length;
const hardToSmall = perLabel.hard.small / perLabel.hard.n;

// Routing CPU: decideRoute over the set, repeated.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const inputs = requests.map(routingInput);
for (let i = 0; i < 20; i++) for (const input of inputs) decideRoute(policy, 'default', input); // warm-up
const cpu0 = process.cpuUsage();
for (let i = 0; i < ROUNDS; i++) for (const input of inputs) decideRoute(policy, 'default', input);
const cpu = process.cpuUsage(cpu0);
const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / (ROUNDS * n);

// ---- prompt caching ----
const MODEL = 'claude-sonnet-4-6';
const words = [];
for (let i = 0; countTokens(words.join(' ')) < 2_000; i++) words.push(`policy${i % 211}`);
const system = `You are the support assistant of Example Co. ${words.join(' ')}`;
const ANSWER = 'Here is what I found about your question, with the steps to take next and the caveats that apply. '.repeat(6).trim();

function conversationCost(promptCaching) {
  const cache = new PromptCacheSimulator();
  const history = [{ role: 'system', content: system }];
  let usd = 0;
  let inputTokens = 0;
  let read = 0;
  for (let turn = 1; turn <= 20; turn++) {
    history.push({ role: 'user', content: `Turn ${turn}: can you check order ${1000 + turn} and tell me when it ships?` });
    const params = toAnthropicParams({ model: MODEL, messages: history, max_tokens: 256 }, { defaultMaxTokens: 256, promptCaching }, { provider: 'anthropic', model: MODEL });
    const usage = cache.anthropic(params);
    const tokens = history.reduce((sum, m) => sum + countTokens(m.content), 0);
    usd += prices.costOf(MODEL, { input_tokens: tokens, output_tokens: 0, cached_tokens: usage.read, cache_write_tokens: usage.write }).usd;
    inputTokens += tokens;
    read += usage.read;
    history.push({ role: 'assistant', content: ANSWER });
  }
  return { usd, inputTokens, read };
}
const cacheOff = conversationCost(false);
const cacheOn = conversationCost(true);
const price = prices.priceOf(MODEL);

// ---- report ----
const pct = (x) => `${fmt(100 * x, 1)} %`;
console.log(`bench:cost — ${new Date().toISOString().slice(0, 10)}, ${machine()}\n`);
console.log(`Routing: ${n} requests (${LABELS.map((l) => `${perLabel[l].n} ${l}`).join(', ')}); tiers small ${TIERS.small}, medium ${TIERS.medium}, large ${TIERS.large}; thresholds ${policy.thresholds.medium} / ${policy.thresholds.large}\n`);
console.log(
  table(
    ['routing', 'USD per 1,000 requests', 'vs always large'],
    [
      ['off (always large)', fmt((1000 * off) / n, 4), '—'],
      ['on (complexity)', fmt((1000 * on) / n, 4), `−${pct(1 - on / off)}`],
    ],
  ),
);
console.log();
console.log(
  table(
    ['label', 'small', 'medium', 'large'],
    [
      ...LABELS.map((l) => [l, pct(perLabel[l].small / perLabel[l].n), pct(perLabel[l].medium / perLabel[l].n), pct(perLabel[l].large / perLabel[l].n)]),
      ['all', pct(perTier.small / n), pct(perTier.medium / n), pct(perTier.large / n)],
    ],
  ),
);
console.log(`\nHard requests sent to the small tier: ${pct(hardToSmall)} (target ≤ 5 %)`);
console.log(`Routing CPU: ${fmt(cpuMsPerRequest * 1000, 2)} µs per request (${ROUNDS} × ${n} decisions; target ≤ 100 µs)\n`);
console.log(`Prompt caching: 20 turns, ${countTokens(system)}-token system prompt, ${MODEL} at $${price.input} input, $${price.cached_input} cache read, $${price.cache_write} cache write per 1M tokens\n`);
console.log(
  table(
    ['prompt caching', 'input tokens', 'read from cache', 'input cost (USD)', 'vs off'],
    [
      ['off', String(cacheOff.inputTokens), '0', fmt(cacheOff.usd, 5), '—'],
      ['on', String(cacheOn.inputTokens), String(cacheOn.read), fmt(cacheOn.usd, 5), `−${pct(1 - cacheOn.usd / cacheOff.usd)}`],
    ],
  ),
);
