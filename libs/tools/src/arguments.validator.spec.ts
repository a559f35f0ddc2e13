import { checkToolSchema, validateToolArguments } from './arguments.validator';
import { ToolErrorCode, ToolException } from './tool.exception';
import { HTTP_TOOL_NAME, MCP_SERVER_NAME, mcpToolName, splitMcpToolName } from './tool-names';
import { capText } from './outbound/guarded-http';
import { mcpResultText } from './mcp/mcp-tool.client';

const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'], additionalProperties: false };

describe('tool arguments', () => {
  it('accepts matching arguments as an object or as JSON text (empty text is {})', () => {
    expect(validateToolArguments(schema, { n: 2 })).toEqual({ ok: true, value: { n: 2 } });
    expect(validateToolArguments(schema, '{"n": 3}')).toEqual({ ok: true, value: { n: 3 } });
    expect(validateToolArguments({ type: 'object' }, '')).toEqual({ ok: true, value: {} });
  });

  it('names what is wrong', () => {
    expect(validateToolArguments(schema, { n: 0 })).toEqual({ ok: false, message: 'arguments.n must be >= 1' });
    expect(validateToolArguments(schema, {})).toEqual({ ok: false, message: "arguments must have required property 'n'" });
    expect(validateToolArguments(schema, '[1]')).toEqual({ ok: false, message: 'the arguments must be a JSON object' });
    expect(validateToolArguments(schema, '{nope')).toEqual({ ok: false, message: 'the arguments are not valid JSON' });
  });

  it('refuses schemas that do not compile or do not describe an object', () => {
    const codeOf = (value: unknown) => {
      try {
        checkToolSchema(value);
        return 'accepted';
      } catch (error) {
        return (error as ToolException).code;
      }
    };
    expect(codeOf(schema)).toBe('accepted');
    expect(codeOf({ type: 'array' })).toBe(ToolErrorCode.InvalidToolSchema);
    expect(codeOf({ type: 'object', properties: 1 })).toBe(ToolErrorCode.InvalidToolSchema);
    expect(codeOf([])).toBe(ToolErrorCode.InvalidToolSchema);
  });
});

describe('tool names', () => {
  it('keeps HTTP tool names and MCP tool names apart (`__` is reserved)', () => {
    expect(HTTP_TOOL_NAME.test('send_email')).toBe(true);
    expect(HTTP_TOOL_NAME.test('a__b')).toBe(false);
    expect(MCP_SERVER_NAME.test('mail-1')).toBe(true);
    expect(MCP_SERVER_NAME.test('mail_1')).toBe(false);
    expect(mcpToolName('mail', 'send_email')).toBe('mail__send_email');
    expect(splitMcpToolName('mail__send__now')).toEqual({ server: 'mail', tool: 'send__now' });
    expect(splitMcpToolName('send_email')).toBeNull();
    expect(mcpToolName('mail', 'has space')).toBeNull();
    expect(mcpToolName('m', 'x'.repeat(62))).toBeNull();
  });
});

describe('results', () => {
  it('cuts text on a character boundary', () => {
    expect(capText(Buffer.from('aé'), 2)).toBe('a');
    expect(capText(Buffer.from('aé'), 3)).toBe('aé');
  });

  it('renders MCP results as text', () => {
    expect(mcpResultText({ content: [{ type: 'text', text: 'a' }, { type: 'image', data: 'x', mimeType: 'image/png' }] })).toBe('a\n{"type":"image","data":"x","mimeType":"image/png"}');
    expect(mcpResultText({ content: [], structuredContent: { r: 1 } })).toBe('{"r":1}');
  });
});
