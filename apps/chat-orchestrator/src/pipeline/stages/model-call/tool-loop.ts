import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PriceBook } from '@conduit/budget';
import type { Prisma, ToolConfirmation } from '@conduit/db';
import type { ChatMessage, FinishReason, TokenUsage, ToolCall, ToolDefinition } from '@conduit/llm';
import { PolicyStore } from '@conduit/policies';
import { ResolvedTool, ToolCatalog, ToolConfirmationStore, ToolOutcome } from '@conduit/tools';
import { GuardrailDecisions } from '../../guardrails/guardrail-decisions';
import { InjectionDetectors } from '../../guardrails/injection-detectors';
import type { Turn } from '../../turn';
import { TOOL_CATALOG } from './tool-catalog.token';
import { ToolLoopErrorCode, ToolLoopException } from './tool-loop.exception';
import { toolConfirmations, toolRuns } from './tool-loop.metrics';
import type { PausedRunState, ToolCallRecord, ToolResume, ToolRun, ToolRunFinish } from './tool-run';

/** What the model is told for a tool output the injection guard withheld (as the input guards do). */
const WITHHELD_TOOL_OUTPUT = '[tool output withheld by guardrails: possible prompt injection]';
const DENIED = 'The user denied this tool call; it was not run. Answer without its result.';
const EXPIRED = 'Nobody confirmed this tool call in time; it was not run. Answer without its result.';

/** What one step of the model leaves the loop to do. */
export type StepDecision =
  | { next: 'call_model' }
  /** The run is over: `finishReason` replaces the step's own when set; `clientCalls` go back to the client. */
  | { next: 'answer'; finishReason?: FinishReason; clientCalls: boolean };

/** One model step, as the loop sees it (plain and streamed alike). */
export interface ModelStep {
  content: string;
  calls: ToolCall[];
  finishReason: FinishReason;
  model: string;
  usage: TokenUsage;
}

const ZERO: TokenUsage = Object.freeze({ input_tokens: 0, output_tokens: 0, cached_tokens: 0 });

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const write = (a.cache_write_tokens ?? 0) + (b.cache_write_tokens ?? 0);
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
    ...(write > 0 ? { cache_write_tokens: write } : {}),
  };
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (never splitting a character). */
export function capBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) so a multi-byte character is not split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

function definitionOf(tool: ResolvedTool): ToolDefinition {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

/**
 * The tool loop of the model-call stage (issue 22; see docs/tools.md "The loop" and
 * "Confirmation"). `begin` resolves the request's `conduit.tools` into the provider request;
 * after each model step `afterStep` decides: answer (no tool call, a client tool call, a limit),
 * pause on dangerous calls (a `tool_confirmations` row), or run the safe calls in parallel and
 * call the model again. Tool results reach the model through the injection guard as indirect
 * input, like retrieved chunks. Plain and streamed answers (and async jobs) share it.
 */
@Injectable()
export class ToolLoop {
  private readonly logger = new Logger(ToolLoop.name);

  constructor(
    @Inject(TOOL_CATALOG) private readonly catalog: ToolCatalog,
    private readonly policies: PolicyStore,
    private readonly prices: PriceBook,
    private readonly confirmations: ToolConfirmationStore,
    private readonly detectors: InjectionDetectors,
    private readonly decisions: GuardrailDecisions,
  ) {}

  /**
   * The run of a request that names `conduit.tools` (undefined otherwise: the plain model call).
   * Resolves the tools (400 `unknown_tool`) and adds their definitions to the provider request
   * next to the client's own tools; a client tool of the same name is replaced by the platform's.
   */
  async begin(turn: Turn): Promise<ToolRun | undefined> {
    if (turn.tools) return turn.tools;
    const selection = turn.body.conduit?.tools;
    if (selection === undefined) return undefined;
    const policy = (await this.policies.get(turn.context.tenantId)).tools;
    if (!policy.enabled) {
      throw new ToolLoopException(ToolLoopErrorCode.ToolsDisabled, 'Platform tools are turned off for this tenant.', { param: 'conduit.tools' });
    }
    const tools = await this.catalog.resolve(turn.context.tenantId, turn.context.apiKeyId, selection);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const clientTools = (turn.request.tools ?? []).filter((tool) => !byName.has(tool.function.name));
    if (tools.length > 0) turn.request.tools = [...clientTools, ...tools.map(definitionOf)];
    const run: ToolRun = { tools, byName, policy, steps: 0, costUsd: 0, usage: { ...ZERO }, toolMs: 0, records: [] };
    turn.tools = run;
    return run;
  }

  /**
   * A resumed run: the paused run's messages and counters, and the decision its first step
   * carries out (see {@link beforeFirstStep}).
   */
  async resume(turn: Turn, row: ToolConfirmation): Promise<ToolRun> {
    const state = row.state as unknown as PausedRunState;
    const run = await this.begin(turn);
    if (!run) throw new Error('a paused run always names conduit.tools');
    turn.request.messages = state.messages;
    run.steps = state.steps;
    run.costUsd = state.costUsd;
    run.resumedFrom = row.id;
    run.resume = {
      confirmationId: row.id,
      calls: state.calls,
      pendingIds: (row.pendingCalls as unknown as { id: string }[]).map((call) => call.id),
      decision: row.status === 'approved' ? 'approved' : row.status === 'expired' ? 'expired' : 'denied',
      editedArguments: (row.editedArguments as Record<string, unknown> | null) ?? null,
    };
    return run;
  }

  /** A resumed run's decision, before its first model call: the approved (and safe) calls run, the others are told as denied. */
  async beforeFirstStep(turn: Turn, run: ToolRun, signal: AbortSignal): Promise<void> {
    const resume = run.resume;
    if (!resume) return;
    run.resume = undefined;
    const results = await Promise.all(resume.calls.map((call) => this.resumedCall(turn, run, resume, call, signal)));
    turn.request.messages.push(...results);
    this.throwIfAborted(run, signal);
  }

  /**
   * After one model step: account its tokens and cost, then decide. Safe platform calls are run
   * here (in parallel) and their results appended for the next step.
   */
  async afterStep(turn: Turn, run: ToolRun, step: ModelStep, signal: AbortSignal): Promise<StepDecision> {
    run.steps += 1;
    run.usage = addUsage(run.usage, step.usage);
    run.costUsd += this.prices.costOf(step.model, step.usage).usd;
    if (step.finishReason !== 'tool_calls' || step.calls.length === 0) return this.end(run, 'answered');
    if (step.calls.some((call) => !run.byName.has(call.function.name))) return this.end(run, 'client_tool_calls', undefined, true);
    if (run.steps >= run.policy.max_steps) return this.end(run, 'tool_step_limit', 'tool_step_limit');
    if (run.costUsd >= run.policy.max_cost_usd) return this.end(run, 'tool_cost_limit', 'tool_cost_limit');
    const assistant: ChatMessage = { role: 'assistant', content: step.content, tool_calls: step.calls };
    const dangerous = step.calls.filter((call) => run.byName.get(call.function.name)?.danger !== 'safe');
    if (dangerous.length > 0) {
      await this.pause(turn, run, assistant, step.calls, dangerous);
      return this.end(run, 'requires_confirmation', 'requires_confirmation');
    }
    const results = await Promise.all(step.calls.map((call) => this.run(turn, run, call, call.function.arguments, signal)));
    this.throwIfAborted(run, signal);
    turn.request.messages.push(assistant, ...results);
    return { next: 'call_model' };
  }

  private end(run: ToolRun, finish: ToolRunFinish, finishReason?: FinishReason, clientCalls = false): StepDecision {
    run.finish = finish;
    toolRuns.inc({ finish });
    return { next: 'answer', ...(finishReason ? { finishReason } : {}), clientCalls };
  }

  private throwIfAborted(run: ToolRun, signal: AbortSignal): void {
    if (!signal.aborted) return;
    run.finish = 'cancelled';
    toolRuns.inc({ finish: 'cancelled' });
    throw signal.reason instanceof Error ? signal.reason : new DOMException('The client went away during a tool call.', 'AbortError');
  }

  private async pause(turn: Turn, run: ToolRun, assistant: ChatMessage, calls: ToolCall[], dangerous: ToolCall[]): Promise<void> {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + run.policy.confirmation_ttl_seconds * 1000);
    const pending = dangerous.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
    const state: PausedRunState = {
      body: turn.body,
      messages: [...turn.request.messages, assistant],
      calls,
      steps: run.steps,
      costUsd: run.costUsd,
      newSession: turn.newSession,
      userMessageId: turn.userMessage?.id ?? null,
      requestId: turn.context.requestId,
      assistantId: turn.assistantId,
    };
    await this.confirmations.create({
      id,
      tenantId: turn.context.tenantId,
      userId: turn.context.userId,
      apiKeyId: turn.context.apiKeyId,
      sessionId: turn.sessionId,
      jobId: turn.context.jobId ?? null,
      pendingCalls: pending,
      state: JSON.parse(JSON.stringify(state)) as Prisma.InputJsonObject,
      expiresAt,
    });
    run.pause = { confirmationId: id, calls: pending, expiresAt };
    toolConfirmations.inc({ decision: 'requested' });
  }

  private async resumedCall(turn: Turn, run: ToolRun, resume: ToolResume, call: ToolCall, signal: AbortSignal): Promise<ChatMessage> {
    if (!resume.pendingIds.includes(call.id)) return this.run(turn, run, call, call.function.arguments, signal);
    if (resume.decision === 'approved') {
      const edited = resume.editedArguments?.[call.id];
      return this.run(turn, run, call, edited !== undefined ? JSON.stringify(edited) : call.function.arguments, signal);
    }
    const outcome = resume.decision === 'expired' ? 'expired' : 'denied';
    const result = outcome === 'expired' ? EXPIRED : DENIED;
    run.records.push({ step: run.steps, id: call.id, name: call.function.name, arguments: call.function.arguments, outcome, durationMs: 0, truncated: false, result });
    return { role: 'tool', tool_call_id: call.id, content: result };
  }

  /** Runs one platform call under its timeout and the run's signal; every failure becomes the tool's result for the model. */
  private async run(turn: Turn, run: ToolRun, call: ToolCall, argumentsJson: string, signal: AbortSignal): Promise<ChatMessage> {
    const tool = run.byName.get(call.function.name) as ResolvedTool;
    run.onProgress?.({ phase: 'start', name: tool.name, id: call.id });
    const outcome = await this.callTool(turn, tool, argumentsJson, run.policy.max_result_bytes, signal);
    run.toolMs += outcome.durationMs;
    const raw = outcome.ok ? outcome.content : `Tool error (${outcome.error}): ${outcome.message}`;
    const capped = capBytes(raw, run.policy.max_result_bytes);
    const content = await this.guard(turn, capped.text);
    const record: ToolCallRecord = {
      step: run.steps,
      id: call.id,
      name: tool.name,
      arguments: argumentsJson,
      outcome: outcome.ok ? 'ok' : outcome.error,
      durationMs: Math.round(outcome.durationMs),
      truncated: capped.truncated || (outcome.ok && outcome.truncated),
      result: content,
    };
    run.records.push(record);
    run.onProgress?.({ phase: 'end', name: tool.name, id: call.id, outcome: record.outcome });
    return { role: 'tool', tool_call_id: call.id, content };
  }

  private async callTool(turn: Turn, tool: ResolvedTool, argumentsJson: string, maxResultBytes: number, signal: AbortSignal): Promise<ToolOutcome> {
    const started = performance.now();
    let args: unknown;
    try {
      args = JSON.parse(argumentsJson === '' ? '{}' : argumentsJson);
    } catch {
      return { ok: false, error: 'invalid_arguments', message: 'the arguments are not valid JSON', durationMs: 0 };
    }
    // The tool's own timeout, also when a registry does not keep it: the call is aborted and the model told.
    const timeout = AbortSignal.timeout(tool.timeoutMs);
    const callSignal = AbortSignal.any([signal, timeout]);
    try {
      const outcome = await this.catalog.call(turn.context.tenantId, tool, args, { signal: callSignal, maxResultBytes });
      if (!outcome.ok && outcome.error === 'cancelled' && timeout.aborted && !signal.aborted) {
        return { ...outcome, error: 'timeout', message: `no answer within ${tool.timeoutMs} ms` };
      }
      return outcome;
    } catch (error) {
      const durationMs = performance.now() - started;
      if (signal.aborted) return { ok: false, error: 'cancelled', message: 'the request was cancelled', durationMs };
      if (timeout.aborted) return { ok: false, error: 'timeout', message: `no answer within ${tool.timeoutMs} ms`, durationMs };
      this.logger.warn({ err: error, request_id: turn.context.requestId, tool: tool.name }, 'tool call failed');
      return { ok: false, error: 'unavailable', message: 'the tool could not be called', durationMs };
    }
  }

  /** A tool's output is indirect input: PII protection as for retrieved text, then the injection guard (`injection.indirect`). */
  private async guard(turn: Turn, text: string): Promise<string> {
    const protectedText = turn.protect ? turn.protect(text) : text;
    const action = turn.guardrails.injection.indirect;
    if (action === 'off') return protectedText;
    const detector = this.detectors.for(turn.guardrails.injection.detector);
    let withheld = false;
    await this.decisions.apply(turn, 'indirect_injection', async () => {
      const verdict = await detector.detect(protectedText, { kind: 'tool_output' });
      const found = verdict.verdict === 'injection';
      withheld = found && action === 'block';
      return {
        stage: 'indirect_injection',
        verdict: !found ? 'pass' : withheld ? 'drop' : 'flag',
        score: Math.round(verdict.score * 1_000) / 1_000,
        ...(found ? { entities: { tool_output: 1 } } : {}),
      };
    });
    return withheld ? WITHHELD_TOOL_OUTPUT : protectedText;
  }
}
