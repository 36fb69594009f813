/** `chain_list` and `chain_validate`: the chain library, read from files; no portal request. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { validateChainFile } from '../chain/index.ts';
import { formatChainFileProblem } from '../errors/index.ts';
import { findLibraryChain, listLibraryChains } from './chain-library.ts';
import type { McpContext } from './mcp-context.ts';
import { runTool } from './run-tool.ts';
import { clientNameOf } from './session-elicitor.ts';

const readOnlyLocal = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const chainSummary = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  valid: z.boolean(),
  inputs: z.array(z.object({ name: z.string(), type: z.string(), required: z.boolean(), description: z.string() })),
  writes: z.array(z.string()),
  destructive: z.array(z.string()),
});

export function registerChainLibraryTools(server: McpServer, context: McpContext): void {
  server.registerTool(
    'chain_list',
    {
      title: 'List the chain library',
      description: 'The chains this server can plan and run: name, description, inputs, and the methods they write or delete.',
      inputSchema: {},
      outputSchema: { chains: z.array(chainSummary) },
      annotations: readOnlyLocal,
    },
    async () =>
      runTool(context, { tool: 'chain_list', arguments: {}, clientName: clientNameOf(server) }, async () => {
        const chains = [];
        for (const entry of listLibraryChains(context.chainDirectories)) {
          const report = await validateChainFile(entry.path);
          chains.push({
            name: entry.name,
            title: report.chain?.name ?? entry.name,
            description: report.chain?.description ?? '',
            valid: report.valid,
            inputs: (report.chain?.inputs ?? []).map((input) => ({
              name: input.name,
              type: input.type,
              required: input.required,
              description: input.description ?? '',
            })),
            writes: report.summary.writes.map((use) => use.method),
            destructive: report.summary.destructive.map((use) => use.method),
          });
        }
        return { structured: { chains }, summary: `${chains.length} chains: ${chains.map((chain) => chain.name).join(', ')}` };
      }),
  );

  server.registerTool(
    'chain_validate',
    {
      title: 'Validate a chain',
      description: 'Check a library chain against the schema and its references; lists every problem with line and column.',
      inputSchema: { chain: z.string().describe('Library name, e.g. core/lead-intake') },
      outputSchema: {
        chain: z.string(),
        valid: z.boolean(),
        sha256: z.string(),
        problems: z.array(z.object({ code: z.string(), line: z.number(), column: z.number(), message: z.string() })),
        writes: z.array(z.string()),
        destructive: z.array(z.string()),
        scopes: z.array(z.string()),
      },
      annotations: readOnlyLocal,
    },
    async (args) =>
      runTool(context, { tool: 'chain_validate', arguments: args, clientName: clientNameOf(server) }, async () => {
        const entry = findLibraryChain(context.chainDirectories, args.chain);
        const report = await validateChainFile(entry.path);
        const structured = {
          chain: entry.name,
          valid: report.valid,
          sha256: report.sha256,
          problems: report.problems.map((problem) => ({
            code: problem.code,
            line: problem.line,
            column: problem.column,
            message: formatChainFileProblem(problem),
          })),
          writes: report.summary.writes.map((use) => use.method),
          destructive: report.summary.destructive.map((use) => use.method),
          scopes: report.summary.scopes,
        };
        return { structured, summary: report.valid ? `${entry.name} is valid.` : `${entry.name}: ${report.problems.length} problem(s).` };
      }),
  );
}
