import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChatCompletionRequest, guardrailsPolicyFor, imagesOf, imageTokenEstimate, maxTokensOf, type TenantPolicy, textOf, uuidFromName } from '@conduit/contracts';
import type { ChatChoice, ChatMessage, ChatRequest, ChatStreamEvent, CompleteResult, StreamResult, TokenUsage, ToolCall } from '@conduit/llm';
import { LlmError } from '@conduit/llm';
import { PolicyStore } from '@conduit/policies';
import type { ChatContext } from '../chat/chat-context';
import { ConversationsService } from '../chat/conversations.service';
import { estimateTokens } from '../chat/token-estimate';
import { INTERNAL_SETTINGS, InternalSettings } from '../internal/internal.constants';
import { PriceQuoteService } from '../usage/price-quote.service';
import { AnswerFilter, FilterChain } from './answer-filter';
import { contentCaptureOf } from './content-capture';
import { FinishedAnswer, isModelCall, ModelCallStage, PipelineStage } from './pipeline-stage';
import { PIPELINE_STAGES } from './pipeline.stages';
import { replayCompletion, replayStream } from './stages/cache-lookup/cache-replay';
import { InvalidModelOutputException } from './stages/model-call/invalid-model-output.exception';
import { staleAnswer } from './stages/cache-lookup/stale-answer';
import { inStage, StageClock } from './stage-telemetry';
import type { HistoryState, Turn, TurnIds } from './turn';

function toLlmMessage(message: ChatCompletionRequest['messages'][number]): ChatMessage {
  switch (message.role) {
    case 'developer':
    case 'system':
      return { role: 'system', content: textOf(message.content) };
    case 'user': {
      const images = imagesOf(message.content);
      return {
        role: 'user',
        content: textOf(message.content),
        ...(images.length > 0 ? { images } : {}),
        ...(message.name ? { name: message.name } : {}),
      };
    }
    case 'assistant':
      return {
        role: 'assistant',
        content: textOf(message.content ?? null),
        ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
      };
    case 'tool':
      return { role: 'tool', content: textOf(message.content), tool_call_id: message.tool_call_id };
  }
}

/**
 * The tool results a request sends before its last message, when it ends with a run of them (one
 * result per call of an assistant's parallel tool calls): stored with the turn, before the last
 * one, so the history keeps every result. Their ids derive from the last message's id, so a re-run
 * job writes the same rows.
 */
function earlierToolResults(body: ChatCompletionRequest, last: { id: string; createdAt: Date }): NonNullable<Turn['toolResults']> {
  const results: NonNullable<Turn['toolResults']> = [];
  const messages = body.messages;
  if (messages[messages.length - 1]?.role !== 'tool') return results;
  let first = messages.length - 1;
  while (first > 0 && messages[first - 1]?.role === 'tool') first -= 1;
  const at = last.createdAt.getTime();
  for (let i = first; i < messages.length - 1; i += 1) {
    const message = messages[i];
    if (message?.role !== 'tool') continue;
    // Written a millisecond apart before the last message, so the history reads them in order.
    results.push({ id: uuidFromName(`${last.id}:tool:${i - first}`), content: textOf(message.content), toolCallId: message.tool_call_id, createdAt: new Date(at - (messages.length - 1 - i)) });
  }
  return results;
}

function withoutLogprobs<T extends { logprobs?: unknown }>(choice: T): T {
  if (choice.logprobs === undefined) return choice;
  const { logprobs: _dropped, ...rest } = choice;
  return rest as T;
}

/** The OpenAI parameters the request carries to providers as they are (a provider that cannot carry one refuses it). */
function carriedParameters(body: ChatCompletionRequest): Partial<ChatRequest> {
  return {
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(body.logprobs != null ? { logprobs: body.logprobs } : {}),
    ...(body.top_logprobs != null ? { top_logprobs: body.top_logprobs } : {}),
    ...(body.parallel_tool_calls != null ? { parallel_tool_calls: body.parallel_tool_calls } : {}),
    ...(body.presence_penalty != null ? { presence_penalty: body.presence_penalty } : {}),
    ...(body.frequency_penalty != null ? { frequency_penalty: body.frequency_penalty } : {}),
    ...(body.logit_bias != null ? { logit_bias: body.logit_bias } : {}),
    ...(body.n != null ? { n: body.n } : {}),
    ...(body.metadata != null ? { metadata: body.metadata } : {}),
    ...(body.reasoning_effort != null ? { reasoning_effort: body.reasoning_effort } : {}),
  };
}

/** A stage's filter, timed for its stage's histogram (an asynchronous end counts its whole wait). */
function timed(filter: AnswerFilter, clock: StageClock): AnswerFilter {
  const { listen, endAsync } = filter;
  return {
    push: (text) => clock.time(() => filter.push(text)),
    end: () => clock.time(() => filter.end()),
    ...(listen ? { listen: (release: Parameters<typeof listen>[0]) => listen.call(filter, release) } : {}),
    ...(endAsync ? { endAsync: () => clock.timeAsync(() => endAsync.call(filter)) } : {}),
  };
}

/**
 * The chat request path: one ordered list of stages (`pipeline.stages.ts`), the same for plain
 * and streamed chats and for async jobs. `start` builds the turn and runs every stage's `prepare`
 * up to the model call; `complete` or `openStream` call the model and pass the answer through the
 * stages' filters; the `finish` hooks (persistence, usage) run once the answer is over.
 */
@Injectable()
export class ChatPipeline {
  private readonly logger = new Logger(ChatPipeline.name);
  private readonly before: PipelineStage[];
  private readonly model: ModelCallStage;
  private readonly after: PipelineStage[];

  constructor(
    @Inject(PIPELINE_STAGES) private readonly stages: readonly PipelineStage[],
    private readonly store: ConversationsService,
    private readonly pricing: PriceQuoteService,
    private readonly policies: PolicyStore,
    @Inject(INTERNAL_SETTINGS) private readonly settings: InternalSettings,
  ) {
    const at = stages.findIndex(isModelCall);
    if (at === -1 || stages.filter(isModelCall).length !== 1) throw new Error('the chat pipeline needs exactly one model-call stage');
    this.before = stages.slice(0, at);
    this.model = stages[at] as ModelCallStage;
    this.after = stages.slice(at + 1);
    const misplaced = this.after.find((stage) => stage.prepare);
    if (misplaced) throw new Error(`pipeline stage "${misplaced.name}" prepares the request but comes after the model call`);
  }

  /**
   * Builds the turn and runs the stages before the model call. Refuses first (nothing read,
   * nothing called) a model that is not priced for the tenant.
   */
  async start(body: ChatCompletionRequest, context: ChatContext, ids: Partial<TurnIds> = {}): Promise<Turn> {
    const startedAt = performance.now();
    await this.pricing.assertRoutable(body.model, context.tenantId);
    const policyRead = this.policies.get(context.tenantId);
    const [policy, { messages, history }] = await Promise.all([policyRead, this.messagesOf(body, context, ids, policyRead)]);
    const last = body.messages[body.messages.length - 1];
    const userMessageId = ids.userMessageId ?? randomUUID();
    const turn: Turn = {
      context,
      body,
      request: {
        model: body.model,
        messages,
        ...(body.temperature != null ? { temperature: body.temperature } : {}),
        ...(body.top_p != null ? { top_p: body.top_p } : {}),
        ...(maxTokensOf(body) !== undefined ? { max_tokens: maxTokensOf(body) } : {}),
        ...(body.stop != null ? { stop: [body.stop].flat() } : {}),
        ...(body.tools ? { tools: body.tools } : {}),
        ...(body.tool_choice ? { tool_choice: body.tool_choice } : {}),
        ...(body.response_format ? { response_format: body.response_format } : {}),
        ...(body.user ? { user: body.user } : {}),
        ...carriedParameters(body),
      },
      sessionId: context.sessionId ?? ids.sessionId ?? randomUUID(),
      newSession: !context.sessionId,
      userMessage:
        last.role === 'user' || last.role === 'tool'
          ? { id: userMessageId, role: last.role, content: textOf(last.content), createdAt: new Date(), ...(last.role === 'tool' ? { toolCallId: last.tool_call_id } : {}) }
          : null,
      assistantId: ids.assistantId ?? randomUUID(),
      responseId: ids.responseId ?? `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      created: Math.floor(Date.now() / 1000),
      startedAt,
      guardrails: guardrailsPolicyFor(policy, context.apiKeyId),
      cachePolicy: policy.cache,
      routing: policy.routing,
      memory: policy.memory,
      decisions: [],
      headers: {},
      citations: [],
      retrievalMs: null,
      filters: [],
      ...(history ? { history } : {}),
    };
    const toolResults = turn.userMessage ? earlierToolResults(body, turn.userMessage) : [];
    if (toolResults.length > 0) turn.toolResults = toolResults;
    const capture = contentCaptureOf(policy.tracing);
    if (capture !== undefined) turn.captureContent = capture;
    for (const stage of this.before) {
      if (stage.prepare && stage.enabled(turn)) await inStage(stage.name, 'prepare', () => stage.prepare?.(turn));
    }
    return turn;
  }

  /**
   * The request's messages, with the session's context when it continues one: its summary (memory
   * policy `summaries`/`full`, unless the request says `conduit.memory: false`) and history window.
   */
  private async messagesOf(
    body: ChatCompletionRequest,
    context: ChatContext,
    ids: Partial<TurnIds>,
    policyRead: Promise<TenantPolicy>,
  ): Promise<{ messages: ChatMessage[]; history?: HistoryState }> {
    const incoming = body.messages.map(toLlmMessage);
    const memory = (await policyRead).memory;
    const summaries = memory.mode !== 'off' && body.conduit?.memory !== false;
    const fresh: HistoryState = { summaries, thresholdTokens: memory.summary_threshold_tokens, coveredMessageId: null, uncoveredTokens: 0, more: false };
    if (!context.sessionId) return summaries ? { messages: incoming, history: fresh } : { messages: incoming };
    // A re-run job must not see its own earlier answer as history.
    const ownIds = [ids.userMessageId, ids.assistantId].filter((id): id is string => id !== undefined);
    const session = await this.store.history(context, context.sessionId, {
      limits: this.settings.history,
      excludeIds: ownIds,
      summaries,
      requestCallIds: new Set(incoming.flatMap((m) => m.tool_calls?.map((call) => call.id) ?? [])),
      requestResultIds: new Set(incoming.flatMap((m) => (m.role === 'tool' && m.tool_call_id ? [m.tool_call_id] : []))),
    });
    const messages = [...incoming.filter((m) => m.role === 'system'), ...session.messages, ...incoming.filter((m) => m.role !== 'system')];
    if (!summaries) return { messages };
    return {
      messages,
      history: { ...fresh, coveredMessageId: session.summary?.coversMessageId ?? null, uncoveredTokens: session.uncoveredTokens, more: session.more },
    };
  }

  /**
   * One non-streaming completion, through the answer filters. The turn is stored in the
   * background, or — `durable` (async jobs) — before this resolves, failing if it cannot be stored
   * or its usage event not emitted.
   */
  async complete(turn: Turn, signal: AbortSignal, options: { durable?: boolean } = {}): Promise<CompleteResult> {
    const hit = turn.cache?.entry;
    const result = hit
      ? replayCompletion(hit)
      : await inStage(this.model.name, 'complete', () => this.model.complete(turn, signal)).catch(async (error: unknown) => {
          // Answers the provider charged for, refused here (`conduit.validate_json`): billed, stored as failed.
          if (error instanceof InvalidModelOutputException) await this.recordFailed(turn, error.result, options.durable ?? false);
          // The last resort: every provider failed, an expired entry of the key may answer.
          const stale = staleAnswer(turn, error);
          if (!stale) throw error;
          return replayCompletion(stale);
        });
    // Choices 2..n (`n > 1`) pass the same filters as the first, each through its own chain, before
    // the first's (whose chain is the turn's: stages that keep the answer keep the first choice).
    const moreChoices = result.completion.more_choices?.length
      ? await Promise.all(result.completion.more_choices.map((choice) => this.filterChoice(turn, choice)))
      : undefined;
    const { chain, clocks } = this.answerFilters(turn);
    let completion = moreChoices ? { ...result.completion, more_choices: moreChoices } : result.completion;
    if (chain) {
      const head = chain.push(completion.content);
      const tail = head.blocked ? head : await chain.endAsync();
      for (const clock of clocks) clock.observe();
      completion = tail.blocked
        ? { ...withoutLogprobs(completion), content: '', finish_reason: 'content_filter' }
        : head.text + tail.text === completion.content
          ? completion
          : { ...withoutLogprobs(completion), content: head.text + tail.text };
    }
    await this.finish(turn, {
      content: completion.content,
      status: 'complete',
      provider: result.provider,
      model: result.model,
      usage: completion.usage,
      usageEstimated: false,
      latencyMs: Math.round(performance.now() - turn.startedAt),
      ttftMs: null,
      metadata: {
        finish_reason: completion.finish_reason,
        attempts: result.attempts.length,
        ...(completion.tool_calls?.length ? { tool_calls: JSON.stringify(completion.tool_calls) } : {}),
      },
      durable: options.durable ?? false,
      ...(completion.tool_calls?.length ? { toolCalls: completion.tool_calls } : {}),
    });
    return { ...result, completion };
  }

  /**
   * A turn whose answer was refused after provider calls (`invalid_model_output`): stored as
   * `failed` (left out of the session's history) with the calls' usage, so they are billed and the
   * reservation settled; the error then goes to the client.
   */
  private async recordFailed(turn: Turn, result: CompleteResult, durable: boolean): Promise<void> {
    await this.finish(turn, {
      content: result.completion.content,
      status: 'failed',
      provider: result.provider,
      model: result.model,
      usage: result.completion.usage,
      usageEstimated: false,
      latencyMs: Math.round(performance.now() - turn.startedAt),
      ttftMs: null,
      metadata: { finish_reason: 'error', error: 'invalid_model_output', attempts: result.attempts.length },
      durable,
    });
  }

  /** Opens the upstream stream; resolves at the first token. Its text events come through the answer filters. */
  async openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
    const hit = turn.cache?.entry;
    const stream = hit
      ? replayStream(hit)
      : await inStage(this.model.name, 'open_stream', () => this.model.openStream(turn, signal)).catch((error: unknown) => {
          const stale = staleAnswer(turn, error);
          if (!stale) throw error;
          return replayStream(stale);
        });
    const { chain, clocks } = this.answerFilters(turn);
    return chain ? { ...stream, events: filtered(stream.events, chain, clocks) } : stream;
  }

  /**
   * Records a finished, cancelled or broken stream with what the client actually received. The
   * promise (which never rejects: a failure is logged) ends once the stages' `finish` hooks did;
   * `durable`: once the turn is stored.
   */
  recordStream(
    turn: Turn,
    stream: { provider: string; model: string; ttftMs: number },
    outcome: { content: string; usage: TokenUsage | undefined; finishReason: string; cancelled: boolean; error?: unknown; toolCalls?: ToolCall[] },
    options: { durable?: boolean } = {},
  ): Promise<void> {
    const estimated = outcome.usage === undefined;
    const usage = outcome.usage ?? {
      input_tokens: turn.request.messages.reduce(
        (sum, m) => sum + estimateTokens(m.content) + (m.images ?? []).reduce((images, image) => images + imageTokenEstimate(image.detail), 0),
        0,
      ),
      output_tokens: estimateTokens(outcome.content),
      cached_tokens: 0,
    };
    return this.finish(turn, {
      content: outcome.content,
      status: outcome.cancelled || outcome.error ? 'partial' : 'complete',
      provider: stream.provider,
      model: stream.model,
      usage,
      usageEstimated: estimated,
      latencyMs: Math.round(performance.now() - turn.startedAt),
      ttftMs: Math.round(stream.ttftMs),
      metadata: {
        finish_reason: outcome.cancelled ? 'cancelled' : outcome.finishReason,
        ...(outcome.error instanceof LlmError ? { error: outcome.error.kind } : {}),
        ...(outcome.toolCalls?.length ? { tool_calls: JSON.stringify(outcome.toolCalls) } : {}),
      },
      durable: options.durable ?? false,
      // Only calls the client received whole (a cut stream's calls are not stored).
      ...(outcome.toolCalls?.length && !outcome.cancelled && !outcome.error ? { toolCalls: outcome.toolCalls } : {}),
    }).catch((error: unknown) => this.logger.error({ err: error, request_id: turn.context.requestId }, 'recording a streamed turn failed'));
  }

  /**
   * A further choice through its own chain of the answer filters (not timed, not the turn's). A
   * changed text loses its logprobs: they would describe the text before the filters.
   */
  private async filterChoice(turn: Turn, choice: ChatChoice): Promise<ChatChoice> {
    const filters: AnswerFilter[] = [];
    for (let i = this.stages.length - 1; i >= 0; i -= 1) {
      const stage = this.stages[i] as PipelineStage;
      if (!stage.answer || !stage.enabled(turn)) continue;
      const filter = stage.answer(turn);
      if (filter) filters.push(filter);
    }
    if (filters.length === 0) return choice;
    const chain = new FilterChain(filters);
    const head = chain.push(choice.content);
    const tail = head.blocked ? head : await chain.endAsync();
    if (tail.blocked) return { ...withoutLogprobs(choice), content: '', finish_reason: 'content_filter' };
    const text = head.text + tail.text;
    return text === choice.content ? choice : { ...withoutLogprobs(choice), content: text };
  }

  /** The answer's filters, in reverse list order; none at all when no stage filters this answer. */
  private answerFilters(turn: Turn): { chain: FilterChain | undefined; clocks: StageClock[] } {
    const filters: AnswerFilter[] = [];
    const clocks: StageClock[] = [];
    for (let i = this.stages.length - 1; i >= 0; i -= 1) {
      const stage = this.stages[i] as PipelineStage;
      if (!stage.answer || !stage.enabled(turn)) continue;
      const filter = stage.answer(turn);
      if (!filter) continue;
      const clock = new StageClock(stage.name);
      clocks.push(clock);
      filters.push(timed(filter, clock));
    }
    turn.filters = filters;
    return { chain: filters.length > 0 ? new FilterChain(filters) : undefined, clocks };
  }

  private async finish(turn: Turn, answer: FinishedAnswer): Promise<void> {
    for (const stage of this.after) {
      if (stage.finish && stage.enabled(turn)) await inStage(stage.name, 'finish', () => stage.finish?.(turn, answer));
    }
  }
}

/**
 * A stream's events through the answer filters. Once a filter blocks, no more text goes out; the
 * upstream is still read to its end (so the call is billed with the provider's own usage) and the
 * answer ends with `finish_reason: "content_filter"`. Text a filter releases between upstream
 * events (the output guard's stall flush) goes out as soon as it is released.
 */
async function* filtered(events: AsyncIterable<ChatStreamEvent>, chain: FilterChain, clocks: StageClock[]): AsyncGenerator<ChatStreamEvent> {
  const released: string[] = [];
  let wake: (() => void) | undefined;
  chain.onRelease((out) => {
    if (out.text !== '') released.push(out.text);
    wake?.();
  });
  const iterator = events[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<ChatStreamEvent>> | undefined;
  try {
    for (;;) {
      next ??= iterator.next();
      const woken = chain.releasesLater ? new Promise<'woken'>((resolve) => (wake = () => resolve('woken'))) : undefined;
      const first = woken ? await Promise.race([next, woken]) : await next;
      wake = undefined;
      if (released.length > 0) yield { type: 'text', text: released.splice(0).join('') };
      if (first === 'woken') continue;
      next = undefined;
      if (first.done) break;
      const event = first.value;
      if (event.type === 'text') {
        if (chain.isBlocked) continue;
        const out = chain.push(event.text);
        if (out.text !== '') yield { type: 'text', text: out.text };
      } else if (event.type === 'done') {
        const out = await chain.endAsync();
        if (out.text !== '') yield { type: 'text', text: out.text };
        yield chain.isBlocked ? { ...event, finish_reason: 'content_filter' } : event;
      } else if (!chain.isBlocked) {
        yield event;
      }
    }
  } finally {
    chain.onRelease(undefined);
    for (const clock of clocks) clock.observe();
    if (next) {
      // Left while an upstream read was pending (the client went away during a released flush): the
      // upstream ends through the request's abort signal; do not wait for it here.
      next.catch(() => undefined);
      iterator.return?.().catch(() => undefined);
    } else {
      await iterator.return?.();
    }
  }
}
