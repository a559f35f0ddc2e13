import { isDeepStrictEqual } from 'node:util';
import type { PromptVersionRecord } from './prompt.types';

export interface PromptFieldChange {
  /** `messages[1].content`, `variables`, `default_model`, `params.temperature`, `tools`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

function compare(path: string, from: unknown, to: unknown, out: PromptFieldChange[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (from === undefined || from === null) out.push({ path, change: 'added', to });
  else if (to === undefined || to === null) out.push({ path, change: 'removed', from });
  else out.push({ path, change: 'changed', from, to });
}

/** What changed from version `a` to version `b`, field by field (messages by position). */
export function diffVersions(a: PromptVersionRecord, b: PromptVersionRecord): PromptFieldChange[] {
  const changes: PromptFieldChange[] = [];
  const count = Math.max(a.messages.length, b.messages.length);
  for (let i = 0; i < count; i += 1) {
    const [from, to] = [a.messages[i], b.messages[i]];
    if (!from || !to) compare(`messages[${i}]`, from, to, changes);
    else {
      compare(`messages[${i}].role`, from.role, to.role, changes);
      compare(`messages[${i}].content`, from.content, to.content, changes);
    }
  }
  compare('variables', a.variables, b.variables, changes);
  compare('default_model', a.defaultModel, b.defaultModel, changes);
  const params = new Set([...Object.keys(a.params), ...Object.keys(b.params)]);
  for (const key of [...params].sort()) compare(`params.${key}`, (a.params as Record<string, unknown>)[key], (b.params as Record<string, unknown>)[key], changes);
  compare('tools', a.tools, b.tools, changes);
  return changes;
}
