import type { CachePolicy, ChatCompletionRequest, GuardrailsPolicy, MemoryPolicy, RoutingPolicy } from '@conduit/contracts';
import type { GuardrailDecision } from '@conduit/guardrails';
import type { ChatRequest, RouteDecision } from '@conduit/llm';
import type { CacheEntry, SemanticScope } from '@conduit/response-cache';
import type { ChatContext } from '../chat/chat-context';
import type { ChatTurn } from '../chat/chat-turn';
import type { AnswerFilter } from './answer-filter';
import type { ToolRun } from './stages/model-call/tool-run';

export interface Citation {
  index: number;
  document_id: string;
  chunk_index: number;
  score: number;
  filename: string | null;
}

/**
 * Ids a caller may fix instead of minting random ones. Async jobs derive them from the job id, so
 * a job that is run again (retry, crash) writes the same session, messages and usage event.
 */
export interface TurnIds {
  sessionId: string;
  userMessageId: string;
  assistantId: string;
  responseId: string;
}

/** The session's history as the request read it: the persistence stage decides on a summary job from it. */
export interface HistoryState {
  /** Summaries are on for this request (memory policy `summaries`/`full`, not `conduit.memory: false`). */
  summaries: boolean;
  /** The tenant's `memory.summary_threshold_tokens`. */
  thresholdTokens: number;
  /** The last message the session's summary covers (null: no summary yet). */
  coveredMessageId: string | null;
  /** Tokens of the stored messages read that the summary does not cover. */
  uncoveredTokens: number;
  /** Older uncovered messages exist beyond what was read. */
  more: boolean;
}

/** The response cache's view of one request (stages `cache_lookup` and `cache_store`). */
export interface CacheDecision {
  /** `stale`: every provider failed and an expired entry was replayed (the last resort). */
  outcome: 'hit' | 'miss' | 'bypass' | 'stale';
  /** The exact key (absent when bypassed before one was derived). */
  key?: string;
  /** Whether a complete answer of this request may be stored, and for how long it is fresh. */
  store: boolean;
  ttlSeconds: number;
  /** How long a stored entry is kept: the TTL, plus the stale window when the tenant serves stale answers. */
  keepSeconds: number;
  /** The cached answer, on a hit: the model call is skipped and this is replayed. */
  entry?: CacheEntry;
  /** An expired entry of the key, within the tenant's stale window: replayed only if every provider fails. */
  stale?: CacheEntry;
  /** A semantic hit: the cosine similarity of the prompt to the one that created the entry. */
  similarity?: number;
  /** A semantic miss: where and with which vector the answer's entry is matched later. */
  semantic?: { scope: SemanticScope; vector: number[] };
}

/**
 * The object every stage of the pipeline reads and extends: one request on its way to the model
 * and back. Created by `ChatPipeline.start` (session resolved, history merged, ids minted, the
 * tenant's policy read); stages add to it.
 */
export interface Turn {
  context: ChatContext;
  body: ChatCompletionRequest;
  /** What goes to the provider: stages rewrite its messages (redaction, grounding). */
  request: ChatRequest;
  sessionId: string;
  newSession: boolean;
  userMessage: ChatTurn['userMessage'];
  assistantId: string;
  responseId: string;
  created: number;
  startedAt: number;
  /** The guardrails policy of this request: the tenant's, with its API key's override on top. */
  guardrails: GuardrailsPolicy;
  /** What the guardrail stages decided (message metadata `guardrails`); never the values themselves. */
  decisions: GuardrailDecision[];
  /** Response headers the stages add (e.g. `x-conduit-guardrails`). */
  headers: Record<string, string>;
  /** Sources the answer was grounded in (`[1]` is index 0), when the request named a collection. */
  citations: Citation[];
  retrievalMs: number | null;
  /**
   * Set by a stage that keeps personal data from the provider: what any other text on its way to
   * the provider (e.g. retrieved chunks) must pass through.
   */
  protect?: (text: string) => string;
  /**
   * Set when the tenant's `tracing.capture_content` is on: the PII guard (and cut) message content
   * passes before it is recorded on the provider-call spans. Absent: no content on spans.
   */
  captureContent?: (text: string) => string;
  /** The tenant's response cache policy. */
  cachePolicy: CachePolicy;
  /** The tenant's routing policy (stage `routing`). */
  routing: RoutingPolicy;
  /** The tenant's memory policy (stage `memory`; extraction is enqueued by persistence). */
  memory: MemoryPolicy;
  /** Long-term memories recalled into the context (stage `memory`): ids only. */
  recalledMemories?: string[];
  /** Where the routing stage sends the request, and why (absent: the requested alias, unrecorded). */
  route?: RouteDecision;
  /** What the cache lookup decided (absent when the tenant's cache is off). */
  cache?: CacheDecision;
  /** The prompt template version rendered into the request (stage `template`), stored with the turn and its usage. */
  prompt?: { name: string; version: number };
  /** Secondary systems the answer went without (`retrieval`), per the tenant's `degradation` policy: header `x-conduit-degraded`, `metadata.degraded`. */
  degraded?: string[];
  /** The platform tool run, when the request names `conduit.tools` (stage `model_call`'s tool loop). */
  tools?: ToolRun;
  /** Filters of the answer, set up when it starts (see `ChatPipeline`). */
  filters: AnswerFilter[];
  /** The session's history and summary state (absent: summaries are off for this request). */
  history?: HistoryState;
  /** Tool results the request sent before its last message (stored with the turn, before it). */
  toolResults?: ChatTurn['toolResults'];
}
