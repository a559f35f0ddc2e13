import { ConduitException } from '@conduit/runtime';

export enum ToolErrorCode {
  /** `conduit.tools` or an allow-list names a tool the tenant does not have (or has disabled). */
  UnknownTool = 'unknown_tool',
  /** The tool exists but the API key's allow-list does not include it. */
  ToolNotAllowed = 'tool_not_allowed',
  ToolNotFound = 'tool_not_found',
  ToolExists = 'tool_exists',
  McpServerNotFound = 'mcp_server_not_found',
  McpServerExists = 'mcp_server_exists',
  /** The MCP server could not be reached or listed its tools wrongly (discovery). */
  McpDiscoveryFailed = 'mcp_discovery_failed',
  ApiKeyNotFound = 'tool_allow_list_key_not_found',
  /** The URL is not allowed: private/loopback/metadata address, not https, credentials in it (SSRF rules of libs/webhooks). */
  ToolUrlRefused = 'tool_url_refused',
  /** A tool or server name outside the allowed pattern. */
  InvalidToolName = 'invalid_tool_name',
  /** `parameters` is not a usable JSON schema. */
  InvalidToolSchema = 'invalid_tool_schema',
  /** A secret that is not `whsec_` + base64 of 24..64 bytes. */
  InvalidToolSecret = 'invalid_tool_secret',
}

/** Raised by the registry's stores and `ToolRegistry.resolve`; maps to HTTP through any Conduit error filter ({@link TOOL_ERROR_STATUS}). */
export class ToolException extends ConduitException<ToolErrorCode> {
  static unknownTool(name: string): ToolException {
    return new ToolException(ToolErrorCode.UnknownTool, `No tool named '${name}' is registered (or it is disabled).`, { param: 'conduit.tools' });
  }

  static notAllowed(name: string): ToolException {
    return new ToolException(ToolErrorCode.ToolNotAllowed, `This API key may not use the tool '${name}'.`, { param: 'conduit.tools' });
  }

  static toolNotFound(id: string): ToolException {
    return new ToolException(ToolErrorCode.ToolNotFound, `No tool found with id '${id}'.`, { param: 'id' });
  }

  static toolExists(name: string): ToolException {
    return new ToolException(ToolErrorCode.ToolExists, `A tool named '${name}' is already registered.`, { param: 'name' });
  }

  static serverNotFound(id: string): ToolException {
    return new ToolException(ToolErrorCode.McpServerNotFound, `No MCP server found with id '${id}'.`, { param: 'id' });
  }

  static serverExists(name: string): ToolException {
    return new ToolException(ToolErrorCode.McpServerExists, `An MCP server named '${name}' is already registered.`, { param: 'name' });
  }

  static discoveryFailed(message: string): ToolException {
    return new ToolException(ToolErrorCode.McpDiscoveryFailed, `The MCP server's tools could not be listed: ${message}`, { param: 'url' });
  }

  static apiKeyNotFound(id: string): ToolException {
    return new ToolException(ToolErrorCode.ApiKeyNotFound, `No API key found with id '${id}'.`, { param: 'api_key_id' });
  }

  static urlRefused(reason: string): ToolException {
    return new ToolException(ToolErrorCode.ToolUrlRefused, `${reason}.`, { param: 'url' });
  }

  static invalidName(message: string, param = 'name'): ToolException {
    return new ToolException(ToolErrorCode.InvalidToolName, message, { param });
  }

  static invalidSchema(message: string): ToolException {
    return new ToolException(ToolErrorCode.InvalidToolSchema, `parameters is not a usable JSON schema: ${message}`, { param: 'parameters' });
  }

  static invalidSecret(message: string): ToolException {
    return new ToolException(ToolErrorCode.InvalidToolSecret, message, { param: 'secret' });
  }
}

/** The error table entries of every app that manages or resolves tools. */
export const TOOL_ERROR_STATUS = {
  [ToolErrorCode.UnknownTool]: 400,
  [ToolErrorCode.ToolNotAllowed]: 403,
  [ToolErrorCode.ToolNotFound]: 404,
  [ToolErrorCode.ToolExists]: 409,
  [ToolErrorCode.McpServerNotFound]: 404,
  [ToolErrorCode.McpServerExists]: 409,
  [ToolErrorCode.McpDiscoveryFailed]: 422,
  [ToolErrorCode.ApiKeyNotFound]: 404,
  [ToolErrorCode.ToolUrlRefused]: 400,
  [ToolErrorCode.InvalidToolName]: 400,
  [ToolErrorCode.InvalidToolSchema]: 400,
  [ToolErrorCode.InvalidToolSecret]: 400,
} as const;
