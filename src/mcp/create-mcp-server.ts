/**
 * One MCP server over the shared context (DESIGN.md §12). With `readOnly`, the tools that can write
 * (`chain_plan`, `chain_run`, `chain_resume`) are not registered at all and `bitrix_call` is a
 * read-only tool that refuses writes.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerBitrixCallTool } from './bitrix-call-tool.ts';
import { registerChainLibraryTools } from './chain-library-tools.ts';
import { registerChainPlanTool } from './chain-plan-tool.ts';
import { registerChainRunTools } from './chain-run-tools.ts';
import type { McpContext } from './mcp-context.ts';
import { registerResources } from './register-resources.ts';
import { registerStatusTools } from './status-tools.ts';

export const serverVersion = '0.1.0';

export function createMcpServer(context: McpContext): McpServer {
  const server = new McpServer(
    { name: 'b24chain', version: serverVersion },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'b24chain: Bitrix24 REST through packs, plans and approvals. Reads run. A write never runs from a tool argument: bitrix_call and chain_plan return a plan; a person approves it (the client asks them, or they run `chain approve PLAN_ID` in a terminal); then bitrix_call {planId} or chain_run executes it once. Do not ask the person to paste approvals into the chat: only their own approval counts.',
    },
  );
  registerBitrixCallTool(server, context);
  registerChainLibraryTools(server, context);
  if (!context.readOnly) {
    registerChainPlanTool(server, context);
    registerChainRunTools(server, context);
  }
  registerStatusTools(server, context);
  registerResources(server, context);
  return server;
}
