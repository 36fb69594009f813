/** The person behind one MCP session: asked through elicitation when the client declared it. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Elicitor } from './obtain-approval.ts';

/** The client's name as it introduced itself (`initialize`), for the audit trail. */
export function clientNameOf(server: McpServer): string {
  const version = server.server.getClientVersion();
  return version === undefined ? 'unknown MCP client' : `${version.name}${version.version ? ` ${version.version}` : ''}`;
}

/** How long the person may take to answer (the SDK's default of 60 s is too short for a review). */
export const approvalAnswerTimeoutMs = 10 * 60_000;

export function sessionElicitor(server: McpServer, requestId: RequestId): Elicitor {
  return {
    supported: server.server.getClientCapabilities()?.elicitation !== undefined,
    actor: `person via ${clientNameOf(server)}`,
    async ask(message, requestedSchema) {
      const result = await server.server.elicitInput(
        { mode: 'form', message, requestedSchema },
        { relatedRequestId: requestId, timeout: approvalAnswerTimeoutMs },
      );
      return { action: result.action, content: result.content };
    },
  };
}
