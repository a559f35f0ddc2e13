import { Injectable } from '@nestjs/common';
import { GuardrailsPolicy, PiiEntityType, textOf } from '@conduit/contracts';
import { PiiScanner, PlaceholderVault, redact, RedactionPolicy, StreamingRestorer, typesOf } from '@conduit/guardrails';
import type { AnswerFilter } from '../../answer-filter';
import { countsOf, GuardrailDecisions } from '../../guardrails/guardrail-decisions';
import { GuardrailErrorCode, GuardrailException } from '../../guardrails/guardrails.exception';
import { InjectionDetectors } from '../../guardrails/injection-detectors';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

const WITHHELD_TOOL_OUTPUT = '[tool output withheld by guardrails: possible prompt injection]';

function piiPolicyOf(policy: GuardrailsPolicy): RedactionPolicy | undefined {
  const entities = policy.pii.entities as RedactionPolicy;
  return typesOf(entities).length > 0 ? entities : undefined;
}

/**
 * Input guards, on what the client sent before it goes anywhere:
 * - prompt injection in the request's user turns (`injection.user`): `flag` records it (metadata,
 *   `x-conduit-guardrails` header), `block` refuses the request with 400 `prompt_injection_detected`
 *   before any provider call (the reservation is released: nothing is billed);
 * - indirect injection in tool outputs the request carries (`injection.indirect`): `flag`, or
 *   `block`, which withholds that output from the model;
 * - personal data in every message sent to the provider, history included (`pii.entities`):
 *   `redact` swaps values for typed placeholders (`<EMAIL_1>`) that are put back in the answer
 *   (streamed too, a placeholder split across chunks included), `mask` for `[redacted:email]`
 *   (never restored), `block` refuses the request with 400 `pii_detected`. Later stages send
 *   their own text through `turn.protect` (retrieved chunks).
 */
@Injectable()
export class InputGuardsStage implements PipelineStage {
  readonly name = 'input_guards';
  private readonly scanners = new Map<string, PiiScanner>();
  private readonly vaults = new WeakMap<Turn, PlaceholderVault>();

  constructor(
    private readonly detectors: InjectionDetectors,
    private readonly decisions: GuardrailDecisions,
  ) {}

  enabled(turn: Turn): boolean {
    const { injection } = turn.guardrails;
    return injection.user !== 'off' || injection.indirect !== 'off' || piiPolicyOf(turn.guardrails) !== undefined;
  }

  async prepare(turn: Turn): Promise<void> {
    const { injection } = turn.guardrails;
    if (injection.user !== 'off') await this.userInjection(turn);
    if (injection.indirect !== 'off') await this.toolOutputInjection(turn);
    const pii = piiPolicyOf(turn.guardrails);
    if (pii) await this.personalData(turn, pii);
  }

  answer(turn: Turn): AnswerFilter | undefined {
    const vault = this.vaults.get(turn);
    if (!vault || vault.size === 0) return undefined;
    const restorer = new StreamingRestorer(vault);
    return { push: (text) => ({ text: restorer.push(text) }), end: () => ({ text: restorer.flush() }) };
  }

  private async userInjection(turn: Turn): Promise<void> {
    const action = turn.guardrails.injection.user;
    const detector = this.detectors.for(turn.guardrails.injection.detector);
    const texts = turn.body.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content));
    const decision = await this.decisions.apply(turn, 'input_injection', async () => {
      let score = 0;
      let injection = false;
      const reasons: string[] = [];
      for (const text of texts) {
        const verdict = await detector.detect(text, { kind: 'user' });
        score = Math.max(score, verdict.score);
        if (verdict.verdict === 'injection') {
          injection = true;
          reasons.push(...verdict.reasons);
        }
      }
      return { stage: 'input_injection', verdict: injection ? action : 'pass', score: Math.round(score * 1_000) / 1_000, ...(injection ? { entities: countsOf(reasons.slice(0, 10)) } : {}) };
    });
    if (decision.verdict === 'block') {
      throw new GuardrailException(GuardrailErrorCode.PromptInjectionDetected, 'The request was refused: a message looks like a prompt injection.');
    }
  }

  private async toolOutputInjection(turn: Turn): Promise<void> {
    const action = turn.guardrails.injection.indirect;
    const tools = turn.request.messages.filter((m) => m.role === 'tool');
    if (tools.length === 0) return;
    const detector = this.detectors.for(turn.guardrails.injection.detector);
    await this.decisions.apply(turn, 'indirect_injection', async () => {
      let score = 0;
      let found = 0;
      for (const message of tools) {
        const verdict = await detector.detect(message.content, { kind: 'tool_output' });
        score = Math.max(score, verdict.score);
        if (verdict.verdict !== 'injection') continue;
        found += 1;
        if (action === 'block') message.content = WITHHELD_TOOL_OUTPUT;
      }
      const verdict = found === 0 ? 'pass' : action === 'block' ? 'drop' : 'flag';
      return { stage: 'indirect_injection', verdict, score: Math.round(score * 1_000) / 1_000, ...(found > 0 ? { entities: { tool_output: found } } : {}) };
    });
  }

  private async personalData(turn: Turn, policy: RedactionPolicy): Promise<void> {
    const scanner = this.scannerFor(typesOf(policy));
    const vault = new PlaceholderVault();
    const found: PiiEntityType[] = [];
    let blocked = false;
    let masked = false;
    await this.decisions.apply(turn, 'input_pii', () => {
      const rewritten = turn.request.messages.map((message) => {
        const result = redact(message.content, policy, scanner, vault);
        for (const e of result.entities) {
          found.push(e.type);
          if (e.action === 'mask') masked = true;
        }
        blocked ||= result.blocked;
        return result.text === message.content ? message : { ...message, content: result.text };
      });
      if (!blocked) turn.request.messages = rewritten;
      const verdict = blocked ? 'block' : found.length === 0 ? 'pass' : masked && vault.size === 0 ? 'mask' : 'redact';
      return { stage: 'input_pii', verdict, ...(found.length > 0 ? { entities: countsOf(found) } : {}) };
    });
    if (blocked) throw new GuardrailException(GuardrailErrorCode.PiiDetected, 'The request was refused: it contains personal data of a type this tenant does not send to models.');
    this.vaults.set(turn, vault);
    // Text added later (retrieved chunks) gets the same treatment; a `block` type is masked there.
    const later: RedactionPolicy = Object.fromEntries(Object.entries(policy).map(([type, action]) => [type, action === 'block' ? 'mask' : action]));
    turn.protect = (text) => redact(text, later, scanner, vault).text;
  }

  private scannerFor(types: PiiEntityType[]): PiiScanner {
    const key = [...types].sort().join(',');
    let scanner = this.scanners.get(key);
    if (!scanner) {
      scanner = new PiiScanner(types);
      this.scanners.set(key, scanner);
    }
    return scanner;
  }
}
