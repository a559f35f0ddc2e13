import { Injectable } from '@nestjs/common';
import type { GuardrailsPolicy } from '@conduit/contracts';
import { GuardrailDecision, OutputCheck, OutputGuard, StreamingOutputGuard } from '@conduit/guardrails';
import type { AnswerFilter } from '../../answer-filter';
import { countsOf, GuardrailDecisions } from '../../guardrails/guardrail-decisions';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

type OutputPolicy = GuardrailsPolicy['output'];

function decisionOf(check: OutputCheck | undefined, verdict: string): GuardrailDecision {
  if (!check || check.allowed) return { stage: 'output_guard', verdict: 'pass' };
  return { stage: 'output_guard', verdict, entities: countsOf(check.violations.map((v) => `${v.kind}:${v.detail}`)) };
}

/**
 * Output guards, on the model's own text (before the input guards put placeholders back): PII
 * and secret leaks (`output.pii`), the tenant's deny-list (terms and regexes) and the built-in
 * moderation rules. `block` holds back a window of the stream (`output.hold_back_chars`; a token
 * such as an API key is held until it ends) so that no text that fails a check reaches the client,
 * and ends a failed answer with `finish_reason: "content_filter"`; `flag` lets the answer through
 * unchanged and records what it found. Off by default. (The optional LLM/HTTP output classifier of
 * the policy is not run on this path yet.)
 */
@Injectable()
export class OutputGuardsStage implements PipelineStage {
  readonly name = 'output_guards';
  /** Guards per output policy: the policy object is shared by every request of a tenant's policy version. */
  private readonly guards = new WeakMap<OutputPolicy, OutputGuard>();
  private readonly outcomes = new WeakMap<Turn, GuardrailDecision>();

  constructor(private readonly decisions: GuardrailDecisions) {}

  enabled(turn: Turn): boolean {
    return turn.guardrails.output.action !== 'off';
  }

  answer(turn: Turn): AnswerFilter {
    const policy = turn.guardrails.output;
    const guard = this.guardFor(policy);
    if (policy.action === 'flag') {
      let text = '';
      return {
        push: (chunk) => {
          text += chunk;
          return { text: chunk };
        },
        end: () => {
          this.outcomes.set(turn, decisionOf(guard.checkSync(text), 'flag'));
          return { text: '' };
        },
      };
    }
    const streaming = new StreamingOutputGuard(guard, { holdBackChars: policy.hold_back_chars });
    const settle = (released: { text: string; blocked?: OutputCheck }, ended: boolean) => {
      if (released.blocked) this.outcomes.set(turn, decisionOf(released.blocked, 'content_filter'));
      else if (ended) this.outcomes.set(turn, { stage: 'output_guard', verdict: 'pass' });
      return { text: released.text, ...(released.blocked ? { blocked: true } : {}) };
    };
    return { push: (chunk) => settle(streaming.push(chunk), false), end: () => settle(streaming.end(), true) };
  }

  /** Records what the guard decided (span, metrics, metadata), once the answer is over. */
  async finish(turn: Turn): Promise<void> {
    const outcome = this.outcomes.get(turn);
    if (outcome) await this.decisions.apply(turn, 'output_guard', () => outcome);
  }

  private guardFor(policy: OutputPolicy): OutputGuard {
    let guard = this.guards.get(policy);
    if (!guard) {
      guard = new OutputGuard({ pii: policy.pii, denyList: { terms: policy.deny_list.terms, patterns: policy.deny_list.patterns }, moderation: policy.moderation });
      this.guards.set(policy, guard);
    }
    return guard;
  }
}
