import { Injectable, Logger } from '@nestjs/common';
import type { GuardrailsPolicy } from '@conduit/contracts';
import { GuardrailDecision, GuardedChunk, InjectionDetector, InjectionVerdict, OutputCheck, OutputGuard, StreamingOutputGuard } from '@conduit/guardrails';
import type { AnswerFilter, FilteredText } from '../../answer-filter';
import { countsOf, GuardrailDecisions } from '../../guardrails/guardrail-decisions';
import { InjectionDetectors } from '../../guardrails/injection-detectors';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

type OutputPolicy = GuardrailsPolicy['output'];

function decisionOf(check: OutputCheck | undefined, verdict: string): GuardrailDecision {
  if (!check || check.allowed) return { stage: 'output_guard', verdict: 'pass' };
  return { stage: 'output_guard', verdict, entities: countsOf(check.violations.map((v) => `${v.kind}:${v.detail}`)) };
}

/** The classifier's verdict as a decision: never its free-text reason (it may quote the answer). */
function classifierDecision(verdict: InjectionVerdict, failed: string): GuardrailDecision {
  const unavailable = verdict.reasons.some((r) => r.startsWith('detector_unavailable'));
  const score = Math.round(verdict.score * 1_000) / 1_000;
  if (verdict.verdict === 'clean') return { stage: 'output_guard', verdict: 'pass', score, ...(unavailable ? { entities: { 'classifier:unavailable': 1 } } : {}) };
  return { stage: 'output_guard', verdict: failed, score, entities: { [unavailable ? 'classifier:unavailable' : 'classifier:flagged']: 1 } };
}

const toFiltered = (chunk: GuardedChunk): FilteredText => ({ text: chunk.text, ...(chunk.blocked ? { blocked: true } : {}) });

/**
 * Output guards, on the model's own text (before the input guards put placeholders back): PII
 * and secret leaks (`output.pii`), the tenant's deny-list (terms and regexes), the built-in
 * moderation rules and, when the policy names one, an LLM or HTTP moderation classifier
 * (`output.classifier`).
 * - `block` releases streamed text only up to the live tail that could still grow into a violation
 *   (`output.hold_back_chars` for the checks with no prefix test), optionally with a stall flush
 *   (`output.flush_after_ms`), so that no text that fails a rule reaches the client, and ends a
 *   failed answer with `finish_reason: "content_filter"`. The classifier judges the whole answer
 *   once: a plain answer before it goes out; a streamed one at its end (`classifier_streaming:
 *   end`: no time to first token added, a failing verdict ends the stream with `content_filter`
 *   after the text already sent) or before any of it goes out (`hold`). When the classifier is
 *   down, `on_failure` decides: `open` lets the answer through, `closed` stops it.
 * - `flag` lets the answer through unchanged and records what the rules and the classifier found.
 * Off by default.
 */
@Injectable()
export class OutputGuardsStage implements PipelineStage {
  readonly name = 'output_guards';
  private readonly logger = new Logger(OutputGuardsStage.name);
  /** Guards per output policy: the policy object is shared by every request of a tenant's policy version. */
  private readonly guards = new WeakMap<OutputPolicy, OutputGuard>();
  private readonly outcomes = new WeakMap<Turn, GuardrailDecision>();

  constructor(
    private readonly decisions: GuardrailDecisions,
    private readonly detectors: InjectionDetectors,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.guardrails.output.action !== 'off';
  }

  answer(turn: Turn): AnswerFilter {
    const policy = turn.guardrails.output;
    const guard = this.guardFor(policy);
    const classifier = policy.classifier ? this.detectors.forOutput(policy.classifier) : undefined;
    let text = '';
    if (policy.action === 'flag') {
      const end = () => {
        this.outcomes.set(turn, decisionOf(guard.checkSync(text), 'flag'));
        return { text: '' };
      };
      return {
        push: (chunk) => {
          text += chunk;
          return { text: chunk };
        },
        end,
        ...(classifier
          ? {
              endAsync: async () => {
                const rules = guard.checkSync(text);
                this.outcomes.set(turn, rules.allowed ? await this.classify(turn, classifier, text, 'flag') : decisionOf(rules, 'flag'));
                return { text: '' };
              },
            }
          : {}),
      };
    }
    // `hold`: nothing goes out before the classifier passed the whole answer (for a plain answer that is the case anyway).
    const holdAll = classifier !== undefined && policy.classifier_streaming === 'hold';
    const flushAfterMs = holdAll || policy.flush_after_ms === null ? undefined : policy.flush_after_ms;
    let release: ((out: FilteredText) => void) | undefined;
    const streaming = new StreamingOutputGuard(guard, {
      holdBackChars: policy.hold_back_chars,
      ...(flushAfterMs !== undefined ? { flushAfterMs, onFlush: (chunk: GuardedChunk) => release?.(settle(chunk, false)) } : {}),
    });
    let held = '';
    const settle = (released: GuardedChunk, ended: boolean): FilteredText => {
      if (released.blocked) this.outcomes.set(turn, decisionOf(released.blocked, 'content_filter'));
      else if (ended) this.outcomes.set(turn, { stage: 'output_guard', verdict: 'pass' });
      if (holdAll && !released.blocked) {
        held += released.text;
        return { text: '' };
      }
      return toFiltered(released);
    };
    const filter: AnswerFilter = {
      push: (chunk) => {
        text += chunk;
        return settle(streaming.push(chunk), false);
      },
      end: () => settle(streaming.end(), true),
    };
    if (flushAfterMs !== undefined && flushAfterMs > 0) filter.listen = (sink) => (release = sink);
    if (classifier) {
      filter.endAsync = async () => {
        const rest = settle(streaming.end(), true);
        if (rest.blocked) return rest;
        const decision = await this.classify(turn, classifier, text, 'content_filter');
        this.outcomes.set(turn, decision);
        if (decision.verdict !== 'pass') return { text: '', blocked: true };
        const out = { text: held + rest.text };
        held = '';
        return out;
      };
    }
    return filter;
  }

  /** Records what the guard decided (span, metrics, metadata), once the answer is over. */
  async finish(turn: Turn): Promise<void> {
    const outcome = this.outcomes.get(turn);
    if (outcome) await this.decisions.apply(turn, 'output_guard', () => outcome);
  }

  private async classify(turn: Turn, classifier: InjectionDetector, text: string, failed: string): Promise<GuardrailDecision> {
    if (text.trim() === '') return { stage: 'output_guard', verdict: 'pass' };
    const verdict = await classifier.detect(text, { kind: 'model_output' });
    const decision = classifierDecision(verdict, failed);
    if (decision.entities?.['classifier:unavailable']) {
      this.logger.warn({ request_id: turn.context.requestId, classifier: classifier.name, fail: decision.verdict === 'pass' ? 'open' : 'closed' }, 'output classifier unavailable');
    }
    return decision;
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
