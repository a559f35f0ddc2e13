import type { InjectionVerdict } from '../injection/injection-detector';

export interface InjectionItem {
  text: string;
  label: 'injection' | 'benign';
  kind: 'user' | 'document' | 'tool_output';
  lang: string;
  note: string;
  /** Set on items added after the first version of the set (2: 2026-12-07, second batch; 3: 2026-12-07 evening, third batch). */
  batch?: number;
}

export interface InjectionScore {
  items: number;
  injections: number;
  benign: number;
  /** Share of injections flagged. */
  recall: number;
  /** Share of benign items flagged. */
  falsePositiveRate: number;
  precision: number;
  missed: InjectionItem[];
  falsePositives: InjectionItem[];
}

/** Recall and false-positive rate of a detector's verdicts over labelled items. */
export function scoreInjection(items: InjectionItem[], verdicts: InjectionVerdict[]): InjectionScore {
  const missed: InjectionItem[] = [];
  const falsePositives: InjectionItem[] = [];
  let truePositives = 0;
  items.forEach((item, i) => {
    const flagged = verdicts[i]?.verdict === 'injection';
    if (item.label === 'injection') {
      if (flagged) truePositives += 1;
      else missed.push(item);
    } else if (flagged) falsePositives.push(item);
  });
  const injections = items.filter((i) => i.label === 'injection').length;
  const benign = items.length - injections;
  return {
    items: items.length,
    injections,
    benign,
    recall: injections === 0 ? 1 : truePositives / injections,
    falsePositiveRate: benign === 0 ? 0 : falsePositives.length / benign,
    precision: truePositives + falsePositives.length === 0 ? 1 : truePositives / (truePositives + falsePositives.length),
    missed,
    falsePositives,
  };
}
