export { startHttpToolServer } from './http-tool-server';
export type { HttpToolServer, ReceivedToolCall } from './http-tool-server';
export { startMcpToolServer } from './mcp-tool-server';
export type { McpToolServer } from './mcp-tool-server';
export { CALCULATOR_PARAMETERS, SEND_EMAIL_PARAMETERS, calculate } from './tool-fixtures';
export type { CalculatorOp, RecordedEmail } from './tool-fixtures';
