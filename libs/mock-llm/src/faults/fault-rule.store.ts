import { globToRegExp } from '../core/glob-match';
import type { MockWire } from '../log/request-log';
import { faultRuleInputSchema, type FaultMatch, type FaultRuleInput, type FaultSpec } from './fault-rule.schema';

/** A stored rule, as listed by `GET /_mock/faults`. */
export interface FaultRule {
  id: string;
  match: FaultMatch;
  fault: FaultSpec;
  /** Requested applications; null = until cleared. */
  times: number | null;
  /** Applications left; null = unlimited. */
  remaining: number | null;
  /** Requests the rule has applied to so far. */
  hits: number;
  created_at: number;
}

/** The request a rule is tested against. */
export interface FaultTarget {
  wire: MockWire;
  path: string;
  model: string | null;
  stream: boolean;
}

interface CompiledRule {
  rule: FaultRule;
  model: RegExp | undefined;
  path: RegExp | undefined;
}

function matches(compiled: CompiledRule, target: FaultTarget): boolean {
  const { match } = compiled.rule;
  if (match.wire !== undefined && match.wire !== target.wire) return false;
  if (match.stream !== undefined && match.stream !== target.stream) return false;
  if (compiled.path !== undefined && !compiled.path.test(target.path)) return false;
  if (compiled.model !== undefined && (target.model === null || !compiled.model.test(target.model))) return false;
  return true;
}

/** Runtime fault rules: first matching rule (in insertion order) applies, and spends one of its `times`. */
export class FaultRuleStore {
  private rules: CompiledRule[] = [];
  private sequence = 0;

  get size(): number {
    return this.rules.length;
  }

  /** Validates and stores a rule; throws a ZodError on bad input. */
  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleInputSchema.parse(input);
    this.sequence++;
    const rule: FaultRule = {
      id: `fault_${this.sequence}`,
      match: parsed.match,
      fault: parsed.fault,
      times: parsed.times ?? null,
      remaining: parsed.times ?? null,
      hits: 0,
      created_at: Date.now(),
    };
    this.rules.push({
      rule,
      model: parsed.match.model === undefined ? undefined : globToRegExp(parsed.match.model),
      path: parsed.match.path === undefined ? undefined : globToRegExp(parsed.match.path),
    });
    return rule;
  }

  /** The first rule matching `target`, counted as applied (and dropped once its times run out). */
  take(target: FaultTarget): FaultRule | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const compiled = this.rules[i];
      if (!matches(compiled, target)) continue;
      const { rule } = compiled;
      rule.hits++;
      if (rule.remaining !== null) {
        rule.remaining--;
        if (rule.remaining === 0) this.rules.splice(i, 1);
      }
      return rule;
    }
    return undefined;
  }

  list(): FaultRule[] {
    return this.rules.map((compiled) => compiled.rule);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((compiled) => compiled.rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule; returns how many there were. */
  clear(): number {
    const count = this.rules.length;
    this.rules = [];
    return count;
  }
}
