import { cleanMemory, memoryHash, type MemoryKind } from './memory-content';

/** One operation an extractor proposes against the user's memories. */
export type MemoryOperation =
  | { op: 'add'; kind: MemoryKind; content: string }
  | { op: 'update'; id: string; kind: MemoryKind; content: string }
  | { op: 'delete'; id: string }
  | { op: 'none' };

/** An existing memory, as reconciliation sees it. */
export interface ExistingMemory {
  id: string;
  kind: string;
  content: string;
}

/** What is written, in one transaction. */
export interface ReconcilePlan {
  adds: { kind: MemoryKind; content: string; hash: string }[];
  updates: { id: string; kind: MemoryKind; content: string; hash: string }[];
  deletes: string[];
  /** Operations that change nothing (duplicates, unknown ids, repeated deletes). */
  noops: number;
}

/**
 * Turns proposed operations into a safe plan against the memories as they are now:
 *
 * - an `add` of a fact the user already has (same normalised content) is a no-op, never a delete
 *   (mem0#1674: adding a fact twice deleted it);
 * - an `update` replaces the memory's content in place — the new fact is always kept: an update of
 *   an id that is gone (deleted meanwhile, or made up) becomes an add, and one that would duplicate
 *   another memory deletes only the stale one (mem0#4536: a contradiction must never only delete);
 * - a `delete` of an unknown id is a no-op, and a delete of a memory that the same answer also adds
 *   or keeps (the same fact) is ignored: a fact restated is not a fact forgotten;
 * - every id is touched once (the first operation on it wins).
 */
export function reconcile(existing: readonly ExistingMemory[], operations: readonly MemoryOperation[]): ReconcilePlan {
  const plan: ReconcilePlan = { adds: [], updates: [], deletes: [], noops: 0 };
  const byId = new Map(existing.map((memory) => [memory.id, memory]));
  /** hash → id of the memory that holds it after the plan (`null`: added by the plan). */
  const holders = new Map<string, string | null>(existing.map((memory) => [memoryHash(memory.content), memory.id]));
  const touched = new Set<string>();
  const stated = new Set<string>();
  for (const operation of operations) {
    if (operation.op === 'add' || operation.op === 'update') stated.add(memoryHash(operation.content));
  }

  for (const operation of operations) {
    switch (operation.op) {
      case 'none':
        plan.noops += 1;
        break;
      case 'add': {
        const content = cleanMemory(operation.content);
        const hash = memoryHash(content);
        if (content === '' || holders.has(hash)) {
          plan.noops += 1;
          break;
        }
        holders.set(hash, null);
        plan.adds.push({ kind: operation.kind, content, hash });
        break;
      }
      case 'update': {
        const content = cleanMemory(operation.content);
        const hash = memoryHash(content);
        const target = byId.get(operation.id);
        if (content === '') {
          plan.noops += 1;
          break;
        }
        if (!target || touched.has(operation.id)) {
          // The fact is kept all the same.
          if (holders.has(hash)) plan.noops += 1;
          else {
            holders.set(hash, null);
            plan.adds.push({ kind: operation.kind, content, hash });
          }
          break;
        }
        touched.add(operation.id);
        const holder = holders.get(hash);
        if (holder === operation.id) {
          // Same fact: only the kind may change.
          if (target.kind !== operation.kind) plan.updates.push({ id: operation.id, kind: operation.kind, content: target.content, hash });
          else plan.noops += 1;
          break;
        }
        if (holder !== undefined) {
          // Another memory already holds the new fact: the stale one goes, the fact stays.
          plan.deletes.push(operation.id);
          holders.delete(memoryHash(target.content));
          break;
        }
        holders.delete(memoryHash(target.content));
        holders.set(hash, operation.id);
        plan.updates.push({ id: operation.id, kind: operation.kind, content, hash });
        break;
      }
      case 'delete': {
        const target = byId.get(operation.id);
        if (!target || touched.has(operation.id) || stated.has(memoryHash(target.content))) {
          plan.noops += 1;
          break;
        }
        touched.add(operation.id);
        holders.delete(memoryHash(target.content));
        plan.deletes.push(operation.id);
        break;
      }
    }
  }
  return plan;
}

/** Whether the plan writes anything. */
export function planChanges(plan: ReconcilePlan): boolean {
  return plan.adds.length + plan.updates.length + plan.deletes.length > 0;
}
