import type { RecordedImage } from './core/request-images';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildReplyText } from './core/reply-text';
import { FirstSeenPrompts, jsonAnswer, type JsonAnswer } from './core/json-reply';
import { MockIdGenerator } from './core/mock-id';
import { PromptCacheSimulator, type PromptCacheUsage } from './core/prompt-cache';
import { MockExchange, type WireAdapter } from './exchange/mock-exchange';
import { FaultRuleStore } from './faults/fault-rule.store';
import { resolveRequestPlan } from './faults/request-plan';
import { judgeReply } from './judge/judge-reply';
import { RequestLog, type RequestLogEntry } from './log/request-log';
import { factExtractorReply } from './memory/fact-extractor-reply';
import { summariserReply } from './summariser/summariser-reply';
import type { MockLlmOptions } from './mock-llm.options';

/** What the handler knows about a request before answering it, recorded in the request log. */
export interface ExchangeInfo {
  model: string | null;
  stream: boolean;
  promptTokens: number;
  /** What the request log keeps as `prompt_text` (default empty). */
  promptText?: string;
  /** What the request log keeps as `output_format` (default null). */
  outputFormat?: string | null;
  /** Simulated prompt-cache usage (default none). */
  promptCache?: PromptCacheUsage & { breakpoints?: number };
  /** Image parts of the request (default none). */
  images?: RecordedImage[];
  /** Carried parameters of the request (default none). */
  params?: Record<string, unknown>;
}

/** Everything one mock server instance holds: options, fault rules, request log, open exchanges. */
export class MockLlmState {
  readonly ids = new MockIdGenerator();
  readonly faults = new FaultRuleStore();
  readonly requests: RequestLog;
  /** Provider prompt caches, simulated (prefixes repeat → cache reads). */
  readonly promptCache = new PromptCacheSimulator();
  /** Requests still in flight, so shutdown can drop them instead of waiting on a hung one. */
  readonly active = new Set<MockExchange>();
  /** Requests that already had their one invalid JSON answer (`[[json:invalid-once]]`). */
  readonly jsonPrompts = new FirstSeenPrompts();

  constructor(readonly options: MockLlmOptions) {
    this.requests = new RequestLog(options.requestLogCapacity);
  }

  /**
   * Resolves the request's plan (defaults, fault rule, `x-mock-*` headers), logs it and returns
   * the exchange that will answer it. Throws a 400 {@link MockHttpError} on bad mock headers.
   */
  begin(request: FastifyRequest, reply: FastifyReply, adapter: WireAdapter, info: ExchangeInfo): MockExchange {
    const path = request.routeOptions.url ?? request.url;
    const plan = resolveRequestPlan(request.headers, this.options, this.faults, {
      wire: adapter.wire,
      path,
      model: info.model,
      stream: info.stream,
    });
    const entry: RequestLogEntry = {
      id: `req_${this.ids.next()}`,
      wire: adapter.wire,
      method: request.method,
      path,
      model: info.model,
      stream: info.stream,
      status: null,
      fault: null,
      rule_id: plan.ruleId,
      started_at: Date.now(),
      ended_at: null,
      prompt_tokens: info.promptTokens,
      prompt_text: info.promptText ?? '',
      output_format: info.outputFormat ?? null,
      cache_read_tokens: info.promptCache?.read ?? 0,
      cache_write_tokens: info.promptCache?.write ?? 0,
      cache_control_blocks: info.promptCache?.breakpoints ?? 0,
      completion_tokens: 0,
      tokens_sent: 0,
      client_disconnected: false,
      images: info.images ?? [],
      params: info.params ?? {},
    };
    this.requests.add(entry);
    return new MockExchange(this.active, reply, adapter, plan, entry);
  }

  /**
   * The reply text: `x-mock-reply` header, else a judge verdict when the message is a judge prompt
   * (see `judge/judge-reply.ts`), else extracted facts when it is Conduit's memory extractor prompt
   * (see `memory/fact-extractor-reply.ts`), else a summary when it is a summariser prompt
   * (`summariser/summariser-reply.ts`), else the configured fixed reply, else an echo of the prompt.
   */
  replyText(exchange: MockExchange, lastUserText: string): string {
    return exchange.plan.reply ?? judgeReply(lastUserText) ?? factExtractorReply(lastUserText) ?? summariserReply(lastUserText) ?? this.options.reply ?? buildReplyText(lastUserText, this.options.echoWords);
  }

  /**
   * The answer of a request that asks for JSON (`schema` undefined: any object): a planted reply
   * (`x-mock-reply`, a fault rule's `reply`) or a judge verdict as it is, else JSON mode / schema
   * mode with the `[[json:…]]` markers (see `core/json-reply.ts`). `MOCK_LLM_REPLY` is not used.
   */
  jsonAnswer(exchange: MockExchange, lastUserText: string, schema: Record<string, unknown> | undefined): JsonAnswer {
    const planted = exchange.plan.reply ?? judgeReply(lastUserText);
    if (planted !== undefined) return { kind: 'text', text: planted };
    const { entry } = exchange;
    return jsonAnswer({
      lastUserText,
      schema,
      echo: buildReplyText(lastUserText, this.options.echoWords),
      requestKey: `${entry.wire}\n${entry.model ?? ''}\n${entry.prompt_text}`,
      seen: this.jsonPrompts,
    });
  }

  /** Drops every in-flight request (used on shutdown). */
  abortAll(): void {
    for (const exchange of this.active) exchange.abort();
  }
}
