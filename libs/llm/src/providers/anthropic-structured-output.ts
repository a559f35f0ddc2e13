import type Anthropic from '@anthropic-ai/sdk';
import { LlmError } from '../errors/llm.exception';
import type { ChatRequest, ResponseFormat } from '../llm.types';
import type { CallContext } from './provider-call';

/**
 * `response_format` on the Anthropic wire. The Messages API has no JSON mode, so Conduit uses the
 * documented equivalent: one tool, {@link STRUCTURED_OUTPUT_TOOL}, whose `input_schema` is the
 * requested JSON schema (`json_object`: any object), forced with `tool_choice: {type: "tool"}`.
 * The model's tool input is the answer: it becomes the completion's text (its JSON), with
 * `finish_reason: "stop"`, and in a stream its `input_json_delta`s become text deltas. `strict`
 * is passed on as the tool's `strict`. `text` sends nothing.
 *
 * A request that also offers its own tools is refused (`unsupported_parameter`, param
 * `response_format`): a forced answer tool would keep the model from calling them, and letting the
 * model choose among them would no longer guarantee JSON. OpenAI-wire routes take both.
 */
export const STRUCTURED_OUTPUT_TOOL = 'conduit_structured_output';

export interface StructuredOutput {
  tool: Anthropic.Tool;
  tool_choice: Anthropic.ToolChoiceTool;
}

/** Whether the request asks for JSON (`json_object` or `json_schema`). */
export function wantsJson(format: ResponseFormat | undefined): format is Exclude<ResponseFormat, { type: 'text' }> {
  return format?.type === 'json_object' || format?.type === 'json_schema';
}

/** The tool's input schema: the requested schema without `$schema` (the tool's schema dialect is Anthropic's), else any object. */
function inputSchemaOf(format: Exclude<ResponseFormat, { type: 'text' }>): Anthropic.Tool.InputSchema {
  if (format.type === 'json_object' || format.json_schema.schema === undefined) return { type: 'object' };
  const { $schema: _dialect, ...schema } = format.json_schema.schema;
  return { type: 'object', ...schema } as Anthropic.Tool.InputSchema;
}

/** The forced answer tool for a JSON `response_format`, or undefined when the request wants text. */
export function structuredOutputOf(request: ChatRequest, context: CallContext): StructuredOutput | undefined {
  const format = request.response_format;
  if (!wantsJson(format)) return undefined;
  if (request.tools?.length) {
    throw new LlmError({
      kind: 'invalid_request',
      code: 'unsupported_parameter',
      provider: context.provider,
      model: context.model,
      message: `response_format ${format.type} cannot be combined with tools on ${context.provider} (Anthropic answers JSON through a forced tool); send one or the other, or use an OpenAI-wire model`,
    });
  }
  const description =
    format.type === 'json_schema' && format.json_schema.description !== undefined
      ? format.json_schema.description
      : 'Give your complete answer by calling this tool; its input is the answer, as JSON.';
  return {
    tool: {
      name: STRUCTURED_OUTPUT_TOOL,
      description,
      input_schema: inputSchemaOf(format),
      ...(format.type === 'json_schema' && format.json_schema.strict === true ? { strict: true } : {}),
    },
    tool_choice: { type: 'tool', name: STRUCTURED_OUTPUT_TOOL, disable_parallel_tool_use: true },
  };
}
