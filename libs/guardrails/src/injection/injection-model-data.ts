/** Stored form, written by scripts/guardrails/train-injection.mjs. */
export interface InjectionModelData {
  version: number;
  featureBits: number;
  /** Characters per block; the classifier scores windows of two blocks. */
  block: number;
  bias: number;
  /** Decision threshold on the probability. */
  threshold: number;
  /** Weight per rule id. */
  rules: Record<string, number>;
  /** int8 weights × scale. */
  scale: number;
  /** base64 of (varint index delta, int8 weight) pairs. */
  weights: string;
  trainedAt: string;
  trainItems: number;
}
