#!/usr/bin/env node
// Trains the built-in prompt-injection classifier of libs/guardrails offline and writes its
// weights to libs/guardrails/src/injection/injection-model.weights.ts (committed; nothing is
// downloaded at run time). Data: libs/guardrails/data/injection.jsonl, TRAIN SPLIT ONLY (the
// split is by a hash of the text, `splitOf` in the lib). Model: logistic regression over the
// lib's hashed n-gram features plus its hand-written rules as extra features, scored on windows
// of two blocks (multiple-instance: an injected document is positive if one window is), trained
// by full-batch Adam with L2 (stronger on the n-grams than on the rules) — deterministic, no random numbers. The decision threshold comes from
// 5-fold out-of-fold scores on the train split (the lowest threshold with a false-positive rate
// ≤ TARGET_FPR). Usage: npm run build && node scripts/guardrails/train-injection.mjs
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const dist = join(root, 'dist', 'libs', 'guardrails', 'src');
const { forEachFeature, FEATURE_BITS, FEATURE_COUNT } = require(join(dist, 'injection', 'features.js'));
const { ruleHitsNormalised, normaliseForRules, INJECTION_RULES } = require(join(dist, 'injection', 'injection-rules.js'));
const { splitOf } = require(join(dist, 'evaluation', 'dataset-split.js'));

const BLOCK = 160;
const EPOCHS = Number(process.env.TRAIN_EPOCHS ?? 250);
const LEARNING_RATE = 0.05;
// Regularisation: chosen by out-of-fold recall on the train split (TRAIN_L2_NGRAM / TRAIN_L2_RULE override it to compare; --no-write keeps the committed weights).
const L2_NGRAM = Number(process.env.TRAIN_L2_NGRAM ?? 1e-4);
const L2_RULE = Number(process.env.TRAIN_L2_RULE ?? 1e-5);
const MIL_ROUNDS = Number(process.env.TRAIN_MIL_ROUNDS ?? 2);
const KEEP_WEIGHTS = 24_000;
const TARGET_FPR = 0.02;
const FOLDS = 5;

const items = readFileSync(join(root, 'libs', 'guardrails', 'data', 'injection.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const train = items.filter((item) => splitOf(item.text) === 'train');

/** Per-item windows, each { features: Map<index, count>, n, rules: Set<rule> }, built like the run-time scorer. */
function windowsOf(raw) {
  // Like the scorer: features and rules on the normalised text (rule positions are in it too).
  const text = normaliseForRules(raw);
  const blocks = Math.max(1, Math.ceil(text.length / BLOCK));
  const perBlock = Array.from({ length: blocks }, () => ({ features: new Map(), n: 0, rules: new Set() }));
  forEachFeature(text, (index, position) => {
    const b = perBlock[Math.floor(position / BLOCK)];
    b.features.set(index, (b.features.get(index) ?? 0) + 1);
    b.n += 1;
  });
  for (const hit of ruleHitsNormalised(text)) perBlock[Math.min(blocks - 1, Math.floor(hit.position / BLOCK))].rules.add(hit.rule);
  const merge = (parts) => {
    const features = new Map();
    let n = 0;
    const rules = new Set();
    for (const p of parts) {
      for (const [k, v] of p.features) features.set(k, (features.get(k) ?? 0) + v);
      n += p.n;
      for (const r of p.rules) rules.add(r);
    }
    return { idx: Int32Array.from(features.keys()), val: Float64Array.from(features.values(), (v) => v / Math.sqrt(Math.max(n, 1))), rules: [...rules] };
  };
  const whole = merge(perBlock);
  const windows = blocks <= 2 ? [whole] : Array.from({ length: blocks - 1 }, (_, w) => merge(perBlock.slice(w, w + 2)));
  return { whole, windows };
}

const logit = (model, ex) => {
  let z = model.bias;
  for (let i = 0; i < ex.idx.length; i += 1) z += model.w[ex.idx[i]] * ex.val[i];
  for (const r of ex.rules) z += model.r[r];
  return z;
};
const sigmoid = (z) => 1 / (1 + Math.exp(-z));

function fit(examples) {
  const model = { w: new Float64Array(FEATURE_COUNT), r: new Float64Array(INJECTION_RULES.length), bias: 0 };
  const m = { w: new Float64Array(FEATURE_COUNT), r: new Float64Array(INJECTION_RULES.length), b: 0 };
  const v = { w: new Float64Array(FEATURE_COUNT), r: new Float64Array(INJECTION_RULES.length), b: 0 };
  const touched = Int32Array.from(new Set(examples.flatMap((e) => [...e.ex.idx])));
  const gw = new Float64Array(FEATURE_COUNT);
  const gr = new Float64Array(INJECTION_RULES.length);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let epoch = 1; epoch <= EPOCHS; epoch += 1) {
    for (const k of touched) gw[k] = L2_NGRAM * model.w[k];
    for (let j = 0; j < gr.length; j += 1) gr[j] = L2_RULE * model.r[j];
    let gb = 0;
    for (const { ex, y, weight } of examples) {
      const g = (sigmoid(logit(model, ex)) - y) * weight;
      for (let i = 0; i < ex.idx.length; i += 1) gw[ex.idx[i]] += g * ex.val[i];
      for (const r of ex.rules) gr[r] += g;
      gb += g;
    }
    const c1 = 1 - b1 ** epoch;
    const c2 = 1 - b2 ** epoch;
    const step = (param, mm, vv, k, g) => {
      mm[k] = b1 * mm[k] + (1 - b1) * g;
      vv[k] = b2 * vv[k] + (1 - b2) * g * g;
      param[k] -= (LEARNING_RATE * (mm[k] / c1)) / (Math.sqrt(vv[k] / c2) + eps);
    };
    for (const k of touched) step(model.w, m.w, v.w, k, gw[k]);
    for (let j = 0; j < gr.length; j += 1) step(model.r, m.r, v.r, j, gr[j]);
    m.b = b1 * m.b + (1 - b1) * gb;
    v.b = b2 * v.b + (1 - b2) * gb * gb;
    model.bias -= (LEARNING_RATE * (m.b / c1)) / (Math.sqrt(v.b / c2) + eps);
  }
  return model;
}

/** Multiple-instance training: positives start as the whole text, then their best window under the current model. */
function train_(rows) {
  const positives = rows.filter((r) => r.item.label === 'injection');
  const negatives = rows.filter((r) => r.item.label !== 'injection');
  const negativeExamples = negatives.flatMap((r) => r.windows.windows.map((ex) => ({ ex, y: 0, weight: 1 / (negatives.length * r.windows.windows.length) })));
  let model = fit([...positives.map((r) => ({ ex: r.windows.whole, y: 1, weight: 1 / positives.length })), ...negativeExamples]);
  for (let round = 0; round < MIL_ROUNDS; round += 1) {
    const chosen = positives.map((r) => r.windows.windows.reduce((best, ex) => (logit(model, ex) > logit(model, best) ? ex : best)));
    model = fit([...chosen.map((ex) => ({ ex, y: 1, weight: 1 / positives.length })), ...negativeExamples]);
  }
  return model;
}
const scoreOf = (model, windows) => Math.max(...windows.windows.map((ex) => logit(model, ex)));

const rows = train.map((item) => ({ item, windows: windowsOf(item.text) }));
console.log(`train split: ${rows.length} of ${items.length} items (${rows.filter((r) => r.item.label === 'injection').length} injections)`);

// Threshold from out-of-fold scores on the train split.
const fold = (text) => createHash('sha256').update(`fold:${text}`).digest().readUInt32BE(0) % FOLDS;
const oof = [];
for (let k = 0; k < FOLDS; k += 1) {
  const model = train_(rows.filter((r) => fold(r.item.text) !== k));
  for (const r of rows.filter((r) => fold(r.item.text) === k)) oof.push({ item: r.item, label: r.item.label, p: sigmoid(scoreOf(model, r.windows)) });
}
const benignScores = oof.filter((o) => o.label !== 'injection').map((o) => o.p).sort((a, b) => b - a);
const allowedFalsePositives = Math.floor(benignScores.length * TARGET_FPR);
const threshold = Math.min(0.9, Math.max(0.2, (benignScores[allowedFalsePositives] ?? 0) + 1e-6));
const oofRecall = oof.filter((o) => o.label === 'injection' && o.p >= threshold).length / oof.filter((o) => o.label === 'injection').length;
if (process.argv.includes('--verbose')) {
  for (const o of oof.filter((o) => (o.label === 'injection') !== o.p >= threshold)) console.log(`  out-of-fold ${o.label === 'injection' ? 'miss' : 'false positive'} ${o.p.toFixed(2)} ${o.item.lang} ${o.item.text.slice(0, 120)}`);
}
console.log(`threshold ${threshold.toFixed(4)} (out-of-fold on train: recall ${oofRecall.toFixed(3)}, ${allowedFalsePositives} of ${benignScores.length} benign allowed above)`);

if (process.argv.includes('--no-write')) process.exit(0);
const model = train_(rows);
// Keep the strongest weights and quantise them to int8.
const order = [...model.w.keys()].filter((k) => model.w[k] !== 0).sort((a, b) => Math.abs(model.w[b]) - Math.abs(model.w[a]) || a - b);
const kept = order.slice(0, KEEP_WEIGHTS).sort((a, b) => a - b);
const maxAbs = Math.max(...kept.map((k) => Math.abs(model.w[k])));
const scale = maxAbs / 127;
const bytes = [];
let previous = 0;
for (const k of kept) {
  const q = Math.round(model.w[k] / scale);
  if (q === 0) continue;
  let delta = k - previous;
  previous = k;
  while (delta >= 0x80) {
    bytes.push((delta & 0x7f) | 0x80);
    delta >>>= 7;
  }
  bytes.push(delta);
  bytes.push(q & 0xff);
}
const data = {
  version: 1,
  featureBits: FEATURE_BITS,
  block: BLOCK,
  bias: Number(model.bias.toFixed(6)),
  threshold: Number(threshold.toFixed(6)),
  rules: Object.fromEntries(INJECTION_RULES.map((rule, j) => [rule.id, Number(model.r[j].toFixed(6))])),
  scale: Number(scale.toPrecision(8)),
  weights: Buffer.from(bytes).toString('base64'),
  trainedAt: 'see git log of this file',
  trainItems: rows.length,
};
const target = join(root, 'libs', 'guardrails', 'src', 'injection', 'injection-model.weights.ts');
const body = JSON.stringify(data, null, 2).replace(/"weights": "[^"]*"/, () => `"weights":\n    "${data.weights}"`);
writeFileSync(
  target,
  `// Generated by scripts/guardrails/train-injection.mjs from libs/guardrails/data/injection.jsonl (train split). Do not edit.\n` +
    `import type { InjectionModelData } from './injection-model-data';\n\n` +
    `export const INJECTION_MODEL_DATA: InjectionModelData = ${body};\n`,
);
console.log(`wrote ${target}: ${kept.length} weights, ${bytes.length} bytes`);
