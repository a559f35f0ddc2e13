import { FEATURE_COUNT } from './features';
import { INJECTION_RULES } from './injection-rules';
import type { InjectionModelData } from './injection-model-data';
import { INJECTION_MODEL_DATA } from './injection-model.weights';

export interface InjectionModel {
  block: number;
  bias: number;
  threshold: number;
  /** Quantised weights (a 256 kB table: most of the scorer's time is spent looking weights up, so small matters); the weight is `weights[i] * scale`. */
  weights: Int8Array;
  scale: number;
  /** Indexed like INJECTION_RULES. */
  ruleWeights: Float64Array;
}

export function decodeModel(data: InjectionModelData): InjectionModel {
  if (1 << data.featureBits !== FEATURE_COUNT) throw new Error(`injection model: ${data.featureBits} feature bits, the featuriser has ${Math.log2(FEATURE_COUNT)}`);
  const weights = new Int8Array(FEATURE_COUNT);
  const bytes = Buffer.from(data.weights, 'base64');
  let index = 0;
  let i = 0;
  while (i < bytes.length) {
    let delta = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[i++] as number;
      delta |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    index += delta;
    const raw = bytes[i++] as number;
    weights[index] = raw > 127 ? raw - 256 : raw;
  }
  const ruleWeights = new Float64Array(INJECTION_RULES.map((rule) => data.rules[rule.id] ?? 0));
  return { block: data.block, bias: data.bias, threshold: data.threshold, weights, scale: data.scale, ruleWeights };
}

let shipped: InjectionModel | undefined;

/** The model committed with the lib, decoded once per process. */
export function shippedInjectionModel(): InjectionModel {
  shipped ??= decodeModel(INJECTION_MODEL_DATA);
  return shipped;
}
