import type { ToolsPolicy } from '@conduit/contracts';
import type { ChatMessage, TokenUsage, ToolCall } from '@conduit/llm';
import type { ResolvedTool, ToolOutcome } from '@conduit/tools';

/** How a tool run ended (`conduit_tool_runs_total{finish}`, message metadata `tool_run.finish`). */
export type ToolRunFinish =
  /** The model answered without calling a tool. */
  | 'answered'
  /** The model called a client tool: the call went back to the client. */
  | 'client_tool_calls'
  | 'tool_step_limit'
  | 'tool_cost_limit'
  | 'requires_confirmation'
  | 'cancelled';

/** One executed (or refused) platform tool call, as recorded with the answer. */
export interface ToolCallRecord {
  step: number;
  id: string;
  name: string;
  arguments: string;
  /** `ok`, a {@link ToolOutcome} error, `denied` (the user said no) or `expired` (nobody answered in time). */
  outcome: 'ok' | Extract<ToolOutcome, { ok: false }>['error'] | 'denied' | 'expired';
  durationMs: number;
  truncated: boolean;
  /** What the model was given (after the size cap and the injection guard). */
  result: string;
}

/** The decision a resumed run carries into its first step. */
export interface ToolResume {
  confirmationId: string;
  /** Every call of the paused step (safe ones run whatever the decision). */
  calls: ToolCall[];
  /** Ids of the dangerous calls that were waiting. */
  pendingIds: string[];
  decision: 'approved' | 'denied' | 'expired';
  /** Approved arguments that replace the model's (call id → JSON object). */
  editedArguments: Record<string, unknown> | null;
}

/** A run's platform tools and its progress, kept on the turn by the model-call stage. */
export interface ToolRun {
  tools: ResolvedTool[];
  byName: Map<string, ResolvedTool>;
  policy: ToolsPolicy;
  /** Model calls made (carried over a pause). */
  steps: number;
  /** Model cost so far in USD (carried over a pause). */
  costUsd: number;
  /** Tokens of this request's model calls (what this request bills). */
  usage: TokenUsage;
  /** Time spent in tool calls by this request. */
  toolMs: number;
  records: ToolCallRecord[];
  finish?: ToolRunFinish;
  /** Set when the run paused on dangerous calls. */
  pause?: { confirmationId: string; calls: { id: string; name: string; arguments: string }[]; expiresAt: Date };
  resume?: ToolResume;
  /** The confirmation a resumed run continues. */
  resumedFrom?: string;
  /** Called when a tool call starts or ends (the streaming endpoint sends an SSE comment). */
  onProgress?: (event: { phase: 'start' | 'end'; name: string; id: string; outcome?: ToolCallRecord['outcome'] }) => void;
}

/** What a paused run stores to be resumed (`tool_confirmations.state`). */
export interface PausedRunState {
  body: unknown;
  /** The provider messages up to and including the assistant message with the step's calls. */
  messages: ChatMessage[];
  calls: ToolCall[];
  steps: number;
  costUsd: number;
  newSession: boolean;
  userMessageId: string | null;
  /** The orchestrator request that paused (a resumed answer's metadata links to it). */
  requestId: string;
  assistantId: string;
}

/** The `conduit` object of a tool run's answer (plain body; a streamed answer's last chunk before `[DONE]`). */
export interface ToolRunSummary {
  tool_run: { steps: number; finish: ToolRunFinish | null; calls: { name: string; outcome: ToolCallRecord['outcome'] }[] };
  confirmation_id?: string;
  pending_tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  expires_at?: string;
}

export function toolRunSummary(run: ToolRun): ToolRunSummary {
  return {
    tool_run: { steps: run.steps, finish: run.finish ?? null, calls: run.records.map((r) => ({ name: r.name, outcome: r.outcome })) },
    ...(run.pause
      ? {
          confirmation_id: run.pause.confirmationId,
          pending_tool_calls: run.pause.calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
          expires_at: run.pause.expiresAt.toISOString(),
        }
      : {}),
  };
}

/** Message metadata `tool_run`: the run's steps, every call with its arguments, outcome, time and the result the model saw. */
export function toolRunMetadata(run: ToolRun): Record<string, unknown> {
  return {
    finish: run.finish ?? null,
    steps: run.steps,
    tool_ms: Math.round(run.toolMs),
    cost_usd: run.costUsd,
    calls: run.records.map((r) => ({ ...r })),
    ...(run.pause ? { confirmation_id: run.pause.confirmationId } : {}),
    ...(run.resumedFrom ? { resumed_from: run.resumedFrom } : {}),
  };
}
