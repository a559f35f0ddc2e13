import { createHash } from 'node:crypto';
import type { PromptExperiment } from './prompt.types';

/**
 * A user's point in [0, 1) for one experiment: a hash of (tenant, user, experiment), so the same
 * user always lands on the same point, and different experiments split independently.
 */
export function bucketOf(tenantId: string, userId: string, experimentId: string): number {
  const digest = createHash('sha256').update(`${tenantId}\u0000${userId}\u0000${experimentId}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

/**
 * The version at `point`: variants take consecutive ranges of [0, 1) in their listed order, each
 * as wide as its share of the weights (consistent bucketing). Changing weights only moves the
 * range borders, so only the users between the old and the new border change version: 50/50 →
 * 60/40 moves the 10 % between 0.5 and 0.6.
 */
export function variantAt(experiment: Pick<PromptExperiment, 'variants'>, point: number): number {
  const total = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0);
  let upper = 0;
  for (const variant of experiment.variants) {
    upper += variant.weight / total;
    if (point < upper) return variant.version;
  }
  return experiment.variants[experiment.variants.length - 1]?.version ?? 0;
}

/** The version a user gets from an experiment. */
export function assignVariant(experiment: PromptExperiment, tenantId: string, userId: string): number {
  return variantAt(experiment, bucketOf(tenantId, userId, experiment.id));
}
