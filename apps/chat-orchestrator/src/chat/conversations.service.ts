import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import type { UsageEventInput } from '@conduit/contracts';
import { ConversationStore, SessionSummary, SessionSummaryStore } from '@conduit/conversations';
import type { ChatContext } from './chat-context';
import type { ChatTurn } from './chat-turn';
import { ChatErrorCode, ChatException } from './chat.exception';
import { buildSessionContext, SessionContext } from './session-context';

export type { ChatTurn } from './chat-turn';

const FLUSH_MAX_TURNS = 100;
const FLUSH_DELAY_MS = 5;

export interface HistoryLimits {
  maxMessages: number;
  maxTokens: number;
}

/**
 * How many messages a session read returns when summaries are on: enough to count the part the
 * summary does not cover (its tokens decide on the next summary), of which the window keeps at most
 * `maxMessages`.
 */
export const SUMMARY_READ_LIMIT = 100;

export interface HistoryRequest {
  limits: HistoryLimits;
  /** Messages a re-run job wrote itself (never its own history). */
  excludeIds?: string[];
  /** Use the session's summary (memory policy `summaries`/`full`, and not `conduit.memory: false`). */
  summaries?: boolean;
  /** Tool call ids of assistant messages in the request (see `historyWindow`). */
  requestCallIds?: ReadonlySet<string>;
  /** Call ids of tool results in the request. */
  requestResultIds?: ReadonlySet<string>;
}

/**
 * The chat path's sessions and messages: history within the limits, and the write-behind of
 * finished turns with their usage events (through `ConversationStore`, one statement per batch,
 * and `UsageEventProducer`). Writes happen after the answer has gone to the client (they are not
 * on the latency path) but are tracked, so a graceful shutdown waits for them.
 */
@Injectable()
export class ConversationsService implements OnApplicationShutdown {
  private readonly logger = new Logger(ConversationsService.name);
  private readonly pending = new Set<Promise<void>>();
  private readonly buffer: ChatTurn[] = [];
  /** Callers of {@link save} waiting for their turn's batch. */
  private readonly waiting = new Map<ChatTurn, { resolve: () => void; reject: (error: unknown) => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ConversationStore,
    private readonly usage: UsageEventProducer,
    private readonly summaries: SessionSummaryStore,
  ) {}

  /**
   * The session's context, oldest first; 404 when it is not the caller's. Without summaries: the
   * history window (real token counts, tool calls kept valid, see `historyWindow`). With them: the
   * session's summary as a labelled system message plus the window after the part it covers. The
   * summary is read beside the history (one round trip more, in parallel); a summary that cannot
   * be read leaves the plain window.
   */
  async history(context: ChatContext, sessionId: string, request: HistoryRequest): Promise<SessionContext> {
    const { limits } = request;
    const readLimit = request.summaries ? Math.max(limits.maxMessages, SUMMARY_READ_LIMIT) : limits.maxMessages;
    const [rows, summary] = await Promise.all([
      this.store.history(context, sessionId, { limit: readLimit, excludeIds: request.excludeIds ?? [] }),
      request.summaries ? this.summaryOf(context, sessionId) : null,
    ]);
    if (!rows) throw new ChatException(ChatErrorCode.SessionNotFound, `No session ${sessionId}.`);
    return buildSessionContext(rows, summary, {
      maxTokens: limits.maxTokens,
      maxMessages: limits.maxMessages,
      readLimit,
      ...(request.requestCallIds ? { requestCallIds: request.requestCallIds } : {}),
      ...(request.requestResultIds ? { requestResultIds: request.requestResultIds } : {}),
    });
  }

  private summaryOf(context: ChatContext, sessionId: string): Promise<SessionSummary | null> {
    return this.summaries.get(context, sessionId).catch((error: unknown) => {
      this.logger.warn({ err: error, session_id: sessionId, request_id: context.requestId }, 'could not read the session summary; using the plain history window');
      return null;
    });
  }

  /**
   * Stores the turn and emits its usage event in the background. Turns are written in small
   * batches (one SQL statement and one Redis round trip per batch), so persistence costs little
   * per request under load; a batch that fails is retried turn by turn.
   */
  record(turn: ChatTurn): void {
    this.buffer.push(turn);
    if (this.buffer.length >= FLUSH_MAX_TURNS) {
      this.flushSoon(0);
    } else {
      this.flushSoon(FLUSH_DELAY_MS);
    }
  }

  /**
   * Like {@link record}, but resolves once the turn is stored and its usage event emitted, and
   * rejects when either failed (async jobs: a job finishes only once its turn is durable). It
   * rides the same batches as recorded turns. Writing a turn again is a no-op — rows and the usage
   * job are keyed by the turn's ids — so a re-run job never stores or bills twice.
   */
  save(turn: ChatTurn): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(turn, { resolve, reject });
      this.record(turn);
    });
  }

  /** Waits until every recorded turn is stored (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.pending.size > 0) {
      // Flushed here and now: a timer would never fire while this loop only awaits microtasks.
      if (this.buffer.length > 0) this.flushNow();
      await Promise.allSettled([...this.pending]);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private flushSoon(delayMs: number): void {
    if (delayMs > 0 && this.timer) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushNow(), delayMs);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer.splice(0, this.buffer.length);
    if (batch.length === 0) return;
    const work = this.persistBatch(batch);
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async persistBatch(batch: ChatTurn[]): Promise<void> {
    try {
      await this.store.writeTurns(batch);
    } catch (error) {
      if (batch.length === 1) {
        const [turn] = batch;
        this.logger.error({ err: error, session_id: turn.sessionId, request_id: turn.context.requestId }, 'could not store chat turn');
        this.settle(batch, error);
        return;
      }
      // One bad turn (e.g. its session was deleted meanwhile) must not lose the others.
      for (const turn of batch) await this.persistBatch([turn]);
      return;
    }
    const usage = this.usageEvents(batch);
    await this.usage.emit(usage).then(
      () => this.settle(batch),
      (error: unknown) => {
        this.logger.error({ err: error, turns: usage.length }, 'could not emit usage events');
        this.settle(batch, error);
      },
    );
  }

  /** Tells the {@link save} callers of a batch how it went. */
  private settle(batch: ChatTurn[], error?: unknown): void {
    for (const turn of batch) {
      const waiter = this.waiting.get(turn);
      if (!waiter) continue;
      this.waiting.delete(turn);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  /** Usage events of the turns that consumed tokens or were response cache hits, keyed by the assistant message id. */
  private usageEvents(batch: ChatTurn[]): UsageEventInput[] {
    const hitOf = (turn: ChatTurn) => turn.assistant.metadata['cache'] === 'hit';
    const usage = batch.filter((turn) => turn.assistant.provider && turn.assistant.model && (turn.assistant.usage.input_tokens > 0 || turn.assistant.usage.output_tokens > 0 || hitOf(turn)));
    return usage.map((turn) => ({ ...this.usageEventOf(turn), ...(hitOf(turn) ? { cache_hit: true, cost_saved_usd: Number(turn.assistant.metadata['cost_saved_usd'] ?? 0) } : {}) }));
  }

  private usageEventOf(turn: ChatTurn): UsageEventInput {
    const { context, assistant } = turn;
    return {
      event_id: assistant.id,
      tenant_id: context.tenantId,
      user_id: context.userId,
      api_key_id: context.apiKeyId,
      request_id: context.requestId.slice(0, 128),
      provider: assistant.provider ?? '',
      model: assistant.model ?? '',
      input_tokens: assistant.usage.input_tokens,
      output_tokens: assistant.usage.output_tokens,
      cached_tokens: assistant.usage.cached_tokens,
      latency_ms: assistant.latencyMs,
      feature: context.feature ?? ('chat' as const),
      occurred_at: assistant.createdAt.toISOString(),
      reservation_id: context.reservationId ?? null,
      // The prompt template version it was rendered from (absent: none; the schema defaults to null).
      ...(turn.prompt ? { prompt_name: turn.prompt.name, prompt_version: turn.prompt.version } : {}),
      // Only when present, so an event without prompt-cache writes or routing reads as before.
      ...(assistant.usage.cache_write_tokens ? { cache_write_tokens: assistant.usage.cache_write_tokens } : {}),
      ...(typeof assistant.metadata['route_header'] === 'string' ? { route: assistant.metadata['route_header'] } : {}),
    };
  }
}
