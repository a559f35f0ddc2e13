import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpToolStore, McpServerStore } from '@conduit/tools';

/**
 * At start-up, re-encrypts tool and MCP server secrets sealed under an older key of the keyring
 * (after a KEK rotation). One indexed query per table when there is nothing to do;
 * `admin rotate-secrets-key` does the same on demand.
 */
@Injectable()
export class ToolSecretsResealer implements OnApplicationBootstrap {
  private readonly logger = new Logger(ToolSecretsResealer.name);

  constructor(
    private readonly tools: HttpToolStore,
    private readonly servers: McpServerStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tools = await this.tools.resealAll();
    const servers = await this.servers.resealAll();
    if (tools + servers > 0) this.logger.log({ tools, mcp_servers: servers }, 'tool secrets sealed under the current key');
  }
}
