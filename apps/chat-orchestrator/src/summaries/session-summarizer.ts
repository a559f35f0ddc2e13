import { Inject, Injectable, Logger } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { guardrailsPolicyFor, PiiEntityType, SessionSummarize, TenantPolicy, uuidFromName } from '@conduit/contracts';
import { UsageEventProducer } from '@conduit/budget';
import { ConversationOwner, ConversationStore, HistoryRow, messageTokens, SessionSummaryStore } from '@conduit/conversations';
import { PiiScanner, redact, RedactionPolicy, typesOf } from '@conduit/guardrails';
import { LlmGateway } from '@conduit/llm';
import { GEN_AI } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { SUMMARY_READ_LIMIT } from '../chat/conversations.service';
import { tokensOf } from '../chat/history-window';
import { summaryMessage } from '../chat/session-context';
import { SUMMARIES_SETTINGS, SummariesSettings } from './summaries.constants';
import { summariserMessages } from './summary-prompt';
import { memorySummaryDuration } from './summary.metrics';

const tracer = trace.getTracer('@conduit/chat-orchestrator/summaries');

/** Most messages one job reads after the covered point. */
export const SUMMARY_JOB_READ_LIMIT = 400;
/** Most transcript tokens one summariser call gets; a longer backlog is caught up over several jobs. */
export const SUMMARY_INPUT_MAX_TOKENS = 12_000;
/**
 * Uncovered messages beyond which a session is summarised whatever their tokens: as many as the chat
 * path reads (`SUMMARY_READ_LIMIT`), so its "older uncovered messages exist" trigger is always acted on.
 */
export const SUMMARY_MESSAGES_TRIGGER = SUMMARY_READ_LIMIT;
/** The summary's answer length. */
const SUMMARY_MAX_TOKENS = 500;

export type SummaryOutcome = { outcome: 'created'; coveredMessages: number; tokens: number } | { outcome: 'skipped'; reason: string };

/**
 * Which of the uncovered messages (oldest first) a new summary covers: from the start up to a turn
 * boundary (the next message is the user's, so a tool call and its results are never split), leaving
 * the newest `keepTokens` verbatim for the history window and taking at most `inputMaxTokens`.
 * Returns how many messages it covers (0: nothing to summarise yet).
 */
export function summaryCut(rows: readonly HistoryRow[], options: { keepTokens: number; inputMaxTokens: number; readAll: boolean }): number {
  const tokens = rows.map(tokensOf);
  // The newest part stays verbatim — unless the read stopped at its limit (newer messages follow).
  let end = rows.length;
  if (options.readAll) {
    let kept = 0;
    while (end > 0 && kept + (tokens[end - 1] as number) <= options.keepTokens) {
      end -= 1;
      kept += tokens[end] as number;
    }
  }
  let cut = 0;
  let taken = 0;
  for (let i = 0; i < end; i += 1) {
    taken += tokens[i] as number;
    // Over the input budget: stop, unless not even one turn fits (it is summarised alone, cut per message).
    if (taken > options.inputMaxTokens && cut > 0) break;
    if (rows[i + 1]?.role === 'user') cut = i + 1;
  }
  return cut;
}

/**
 * The `session.summarize` job: re-reads the part of the session its summary does not cover; when
 * it has passed the tenant's threshold, a cheap model (policy `summary_model`, else `MEMORY_MODEL`)
 * merges the previous summary with the older messages, and the new summary is stored with the last
 * message it covers. The call is billed as usage with feature `memory`, in a `create_memory` span.
 * Never on a chat's path: the chat reads whatever summary is stored, or none.
 */
@Injectable()
export class SessionSummarizer {
  private readonly logger = new Logger(SessionSummarizer.name);
  private readonly scanners = new Map<string, PiiScanner>();

  constructor(
    private readonly conversations: ConversationStore,
    private readonly summaries: SessionSummaryStore,
    private readonly policies: PolicyStore,
    private readonly llm: LlmGateway,
    private readonly usage: UsageEventProducer,
    @Inject(SUMMARIES_SETTINGS) private readonly settings: SummariesSettings,
  ) {}

  async summarise(job: SessionSummarize): Promise<SummaryOutcome> {
    const started = performance.now();
    return tracer.startActiveSpan('create_memory summary', { attributes: { [GEN_AI.operation]: 'create_memory', 'conduit.memory.kind': 'summary' } }, async (span) => {
      try {
        const result = await this.run(job);
        span.setAttribute('conduit.memory.outcome', result.outcome);
        memorySummaryDuration.observe({ outcome: result.outcome }, (performance.now() - started) / 1_000);
        return result;
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        memorySummaryDuration.observe({ outcome: 'failed' }, (performance.now() - started) / 1_000);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async run(job: SessionSummarize): Promise<SummaryOutcome> {
    const owner: ConversationOwner = { tenantId: job.tenant_id, userId: job.user_id };
    const tenantPolicy = await this.policies.get(job.tenant_id);
    const policy = tenantPolicy.memory;
    if (policy.mode === 'off') return { outcome: 'skipped', reason: 'memory off' };
    const previous = await this.summaries.get(owner, job.session_id);
    const rows = await this.conversations.messagesAfter(owner, job.session_id, previous?.coversCreatedAt ?? null, SUMMARY_JOB_READ_LIMIT);
    if (!rows) return { outcome: 'skipped', reason: 'session gone' };
    const readAll = rows.length < SUMMARY_JOB_READ_LIMIT;
    const uncoveredTokens = rows.reduce((sum, row) => sum + tokensOf(row), 0);
    if (uncoveredTokens < policy.summary_threshold_tokens && rows.length < SUMMARY_MESSAGES_TRIGGER && readAll) return { outcome: 'skipped', reason: 'below the threshold' };
    const cut = summaryCut(rows, { keepTokens: Math.floor(policy.summary_threshold_tokens / 2), inputMaxTokens: SUMMARY_INPUT_MAX_TOKENS, readAll });
    if (cut === 0) return { outcome: 'skipped', reason: 'no turn boundary to cut at' };
    const covered = rows.slice(0, cut);
    const last = covered[covered.length - 1] as HistoryRow;
    const model = policy.summary_model ?? this.settings.model;
    const transcript = this.withoutPersonalData(covered, tenantPolicy);
    const result = await this.llm.complete(model, { messages: summariserMessages(previous?.summary ?? null, transcript), temperature: 0, max_tokens: SUMMARY_MAX_TOKENS }, { timeoutMs: this.settings.timeoutMs });
    const usage = result.completion.usage;
    // Billed whether or not it is stored: the call was made. One event per session and covered message (a retried job bills once).
    await this.usage.emit([
      {
        event_id: uuidFromName(`memory-summary:${job.session_id}:${last.id}`),
        tenant_id: job.tenant_id,
        user_id: job.user_id,
        api_key_id: null,
        request_id: null,
        provider: result.provider,
        model: result.model,
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cached_tokens: usage.cached_tokens,
        latency_ms: Math.round(result.latencyMs),
        feature: 'memory',
        occurred_at: new Date().toISOString(),
      },
    ]);
    const text = result.completion.content.trim();
    if (text === '') throw new Error('the summariser answered with an empty summary');
    const tokens = messageTokens(summaryMessage({ summary: text }).content);
    const stored = await this.summaries.save(owner, job.session_id, {
      summary: text,
      coversMessageId: last.id,
      coversCreatedAt: last.createdAt,
      coveredMessages: (previous?.coveredMessages ?? 0) + covered.length,
      tokens,
      model: result.model,
    });
    if (!stored) return { outcome: 'skipped', reason: 'a newer summary is stored, or the session is gone' };
    this.logger.log({ tenant_id: job.tenant_id, session_id: job.session_id, covered: covered.length, tokens }, 'session summarised');
    return { outcome: 'created', coveredMessages: covered.length, tokens };
  }

  /**
   * The tenant's PII guard (`guardrails.pii.entities`) applies to what the summariser sees, as it
   * does to every chat request: each configured type is masked (`[redacted:email]`; a placeholder
   * could never be put back, and a `block` type must not reach the model either), so the summary
   * never holds what the chat path would not have sent.
   */
  private withoutPersonalData(rows: HistoryRow[], policy: TenantPolicy): HistoryRow[] {
    const types = typesOf(guardrailsPolicyFor(policy, null).pii.entities as RedactionPolicy);
    if (types.length === 0) return rows;
    const key = [...types].sort().join(',');
    let scanner = this.scanners.get(key);
    if (!scanner) {
      scanner = new PiiScanner(types);
      this.scanners.set(key, scanner);
    }
    const masked: RedactionPolicy = Object.fromEntries(types.map((type: PiiEntityType) => [type, 'mask']));
    const guard = scanner;
    return rows.map((row) => ({ ...row, content: redact(row.content, masked, guard).text }));
  }
}
