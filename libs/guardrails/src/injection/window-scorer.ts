import { collectFeatures, newFeatureBuffer } from './features';
import { gateOf, normaliseDetailed, ruleHitsNormalised } from './injection-rules';
import type { InjectionModel } from './injection-model';

export interface WindowScore {
  /** Highest window logit. */
  logit: number;
  /** Rules that fired in the best window. */
  rules: number[];
}

/**
 * Scores a text (normalised first, see `normaliseDetailed`) as the maximum over windows of two consecutive blocks (one window for short
 * texts), so an instruction hidden in a long document is not diluted by the benign text around it.
 * A window's logit: bias + (sum of its n-gram weights) × scale / sqrt(n-gram count) + weights of the rules
 * that fired in it. Linear in the text length.
 */
const scratch = newFeatureBuffer();
let blockSums = new Float64Array(64);
let blockCounts = new Uint32Array(64);

export function scoreWindows(raw: string, model: InjectionModel): WindowScore {
  // Features and rules both see the normalised text (lower case, leetspeak and letter spacing undone).
  const text = normaliseDetailed(raw).text;
  const blocks = Math.max(1, Math.ceil(text.length / model.block));
  if (blockSums.length < blocks) {
    blockSums = new Float64Array(blocks * 2);
    blockCounts = new Uint32Array(blocks * 2);
  }
  const sums = blockSums.fill(0, 0, blocks);
  const counts = blockCounts.fill(0, 0, blocks);
  const { weights, block } = model;
  const features = collectFeatures(text, scratch, text);
  const { indices: all, positions: at, count: n } = features;
  // Weights are int8, so block sums are exact integers: accumulate in registers while the block
  // stays the same (it changes only at block edges; word features carry their word's start).
  let current = 0;
  let edge = block;
  let sum = 0;
  let count = 0;
  for (let k = 0; k < n; k += 1) {
    const position = at[k] as number;
    if (position >= edge || position < edge - block) {
      sums[current] += sum;
      counts[current] += count;
      current = (position / block) | 0;
      edge = (current + 1) * block;
      sum = 0;
      count = 0;
    }
    sum = (sum + (weights[all[k] as number] as number)) | 0;
    count += 1;
  }
  sums[current] += sum;
  counts[current] += count;
  const hits = ruleHitsNormalised(text, gateOf(features));
  const windows = blocks <= 2 ? 1 : blocks - 1;
  const span = blocks <= 2 ? blocks : 2;
  let best = -Infinity;
  let bestRules: number[] = [];
  for (let w = 0; w < windows; w += 1) {
    let sum = 0;
    let count = 0;
    for (let b = w; b < w + span; b += 1) {
      sum += sums[b] as number;
      count += counts[b] as number;
    }
    const fired: number[] = [];
    for (const hit of hits) {
      const b = Math.min(blocks - 1, (hit.position / block) | 0);
      if (b >= w && b < w + span && !fired.includes(hit.rule)) fired.push(hit.rule);
    }
    let logit = model.bias + (count > 0 ? (sum * model.scale) / Math.sqrt(count) : 0);
    for (const rule of fired) logit += model.ruleWeights[rule] as number;
    if (logit > best) {
      best = logit;
      bestRules = fired;
    }
  }
  return { logit: best, rules: bestRules };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
