import { Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { ConversationStore } from '@conduit/conversations';
import type { ChatMessage } from '@conduit/llm';
import { promptResolutions } from '@conduit/observability';
import { PromptErrorCode, PromptException, PromptStore, ResolvedPrompt } from '@conduit/prompts';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/** Span attributes naming the template version that produced an answer. */
export const PROMPT_NAME_ATTRIBUTE = 'conduit.prompt.name';
export const PROMPT_VERSION_ATTRIBUTE = 'conduit.prompt.version';

function outcomeOf(error: unknown): string {
  if (!(error instanceof PromptException)) return 'error';
  return error.code === PromptErrorCode.InvalidVariables ? 'invalid_variables' : 'not_found';
}

/**
 * Prompt templates (`conduit.prompt = {name, label | version, variables}`): resolves the version
 * (the label's, or one assigned by its A/B experiment — kept for the whole session), checks the
 * variables against its JSON schema (400 `invalid_prompt_variables` naming the path), and puts
 * the rendered messages before the request's own. The version's default parameters and tools
 * apply where the request gives none. First in the list, so every later stage (guards, cache key,
 * model call) sees the rendered prompt. On per request; off costs one property check.
 */
@Injectable()
export class TemplateStage implements PipelineStage {
  readonly name = 'template';

  constructor(
    private readonly prompts: PromptStore,
    private readonly conversations: ConversationStore,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.body.conduit?.prompt !== undefined;
  }

  async prepare(turn: Turn): Promise<void> {
    const ref = turn.body.conduit?.prompt;
    if (!ref) return;
    const { context } = turn;
    let resolved: ResolvedPrompt;
    let rendered: ReturnType<ResolvedPrompt['prompt']['render']>;
    const source = ref.version !== undefined ? 'version' : 'label';
    try {
      // A continuing session keeps the version its first templated turn used (asked only while an experiment runs).
      const sessionVersion = context.sessionId && !turn.newSession ? (name: string) => this.conversations.promptVersionOf(context, context.sessionId as string, name) : undefined;
      resolved = await this.prompts.resolve(context.tenantId, ref, context.userId, sessionVersion);
      rendered = resolved.prompt.render(ref.variables ?? {}, 'conduit.prompt.variables');
    } catch (error) {
      promptResolutions.inc({ source, outcome: outcomeOf(error) });
      throw error;
    }
    promptResolutions.inc({ source: resolved.experimentId ? 'experiment' : source, outcome: 'rendered' });
    turn.prompt = { name: resolved.name, version: resolved.version };
    trace.getActiveSpan()?.setAttributes({ [PROMPT_NAME_ATTRIBUTE]: resolved.name, [PROMPT_VERSION_ATTRIBUTE]: resolved.version });

    const messages: ChatMessage[] = rendered.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: m.content }));
    turn.request.messages = [...messages, ...turn.request.messages];
    const { version } = resolved.prompt;
    const { body, request } = turn;
    // Defaults of the version, where the request gives none (`model` is required by the OpenAI wire: the request's wins).
    if (body.temperature == null && version.params.temperature !== undefined) request.temperature = version.params.temperature;
    if (body.top_p == null && version.params.top_p !== undefined) request.top_p = version.params.top_p;
    if (body.max_tokens == null && body.max_completion_tokens == null && version.params.max_tokens !== undefined) request.max_tokens = version.params.max_tokens;
    if (body.stop == null && version.params.stop !== undefined) request.stop = version.params.stop;
    if (body.tools == null && version.tools) request.tools = version.tools;
  }
}
