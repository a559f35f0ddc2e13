import { PII_ENTITY_TYPES, STRUCTURED_PII_TYPES, type PiiEntity, type PiiEntityType } from '../pii/pii.types';

export interface PiiItem {
  text: string;
  lang: string;
  note: string;
  entities: PiiEntity[];
}

export interface TypeScore {
  type: PiiEntityType;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface PiiMistake {
  text: string;
  kind: 'missed' | 'spurious';
  entity: PiiEntity;
}

/**
 * Structured types must match the labelled span exactly; names and addresses (whose span edges
 * are a matter of taste: "Mr. Thompson" or "Thompson") count when they overlap a labelled entity
 * of the same type.
 */
function matches(predicted: PiiEntity, gold: PiiEntity): boolean {
  if (predicted.type !== gold.type) return false;
  if (STRUCTURED_PII_TYPES.includes(gold.type)) return predicted.start === gold.start && predicted.end === gold.end;
  return predicted.start < gold.end && gold.start < predicted.end;
}

/** Precision and recall per entity type over labelled items. */
export function evaluatePii(items: PiiItem[], scan: (text: string) => PiiEntity[]): { scores: TypeScore[]; mistakes: PiiMistake[] } {
  const counts = new Map<PiiEntityType, { tp: number; fp: number; fn: number }>(PII_ENTITY_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  const mistakes: PiiMistake[] = [];
  for (const item of items) {
    const predicted = scan(item.text);
    const matchedGold = new Set<number>();
    for (const p of predicted) {
      const index = item.entities.findIndex((g, i) => !matchedGold.has(i) && matches(p, g));
      const count = counts.get(p.type) as { tp: number; fp: number; fn: number };
      if (index === -1) {
        count.fp += 1;
        mistakes.push({ text: item.text, kind: 'spurious', entity: p });
      } else {
        count.tp += 1;
        matchedGold.add(index);
      }
    }
    item.entities.forEach((g, i) => {
      if (matchedGold.has(i)) return;
      (counts.get(g.type) as { fn: number }).fn += 1;
      mistakes.push({ text: item.text, kind: 'missed', entity: g });
    });
  }
  const scores = PII_ENTITY_TYPES.map((type) => {
    const { tp, fp, fn } = counts.get(type) as { tp: number; fp: number; fn: number };
    return {
      type,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    };
  });
  return { scores, mistakes };
}
