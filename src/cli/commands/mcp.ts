/**
 * `chain mcp`: the Model Context Protocol server (DESIGN.md §12) over stdio, or Streamable HTTP on
 * 127.0.0.1 with `--http PORT`. Opens the portal named by the environment (as `chain run` does) and
 * the state database once; the server reads no setting after that.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpContext, createMcpServer, serveHttp } from '../../mcp/index.ts';
import { isPostgresUrl, resolveStatePath } from '../../store/index.ts';
import { openRunnerConnection } from '../open-runner-connection.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printRefusalOrThrow } from '../print-refusal.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

interface McpFlags {
  http?: number;
  readOnly?: boolean;
  packs?: string;
  methodAllowlist?: string;
  chains: string[];
  planTtl: number;
  db?: string;
  portal?: string;
  emulator?: boolean;
}

export const bundledChainsFolder = fileURLToPath(new URL('../../../chains', import.meta.url));

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError('--http takes a port from 0 to 65535 (0 picks a free one).');
  return parsed;
}

function minutes(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 24 * 60) throw new InvalidArgumentError('--plan-ttl takes minutes, from 1 to 1440.');
  return parsed;
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function mcpAction(flags: McpFlags): Promise<void> {
  const statePath = resolveStatePath({ flag: flags.db, env: process.env.B24_DB, databaseUrl: process.env.B24_DATABASE_URL });
  const connection = await openRunnerConnection({ emulator: flags.emulator === true, env: process.env, dbFlag: flags.db, portal: flags.portal });
  try {
    const context = createMcpContext({
      client: connection.client,
      database: connection.database,
      packsText: flags.packs ?? (process.env.B24_PACKS?.trim() || undefined),
      allowlistText: flags.methodAllowlist,
      readOnly: flags.readOnly === true,
      chainDirectories: flags.chains.length === 0 ? [bundledChainsFolder] : flags.chains.map((folder) => resolve(folder)),
      planTtlMs: flags.planTtl * 60_000,
      // A PostgreSQL URL is never printed (it may hold a password): `chain approve` finds it in B24_DATABASE_URL.
      approveArguments: statePath === ':memory:' || isPostgresUrl(statePath) ? [] : ['--db', resolve(statePath)],
    });
    if (flags.http !== undefined) {
      const running = await serveHttp(context, flags.http);
      process.stdout.write(`${JSON.stringify({ url: running.url, readOnly: context.readOnly, packs: context.packs })}\n`);
      process.stderr.write(`chain mcp: serving MCP (Streamable HTTP) at ${running.url}; Ctrl-C stops.\n`);
      await untilSignal();
      await running.close();
      return;
    }
    const server = createMcpServer(context);
    const closed = new Promise<void>((done) => {
      server.server.onclose = () => done();
    });
    await server.connect(new StdioServerTransport());
    process.stdin.once('end', () => void server.close());
    await Promise.race([closed, untilSignal()]);
    await server.close();
  } finally {
    await connection.close();
  }
}

/** Registers `chain mcp`. */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve the MCP server for AI agents (stdio, or Streamable HTTP on 127.0.0.1): reads run, writes become plans a person approves')
    .option('--http <port>', 'serve Streamable HTTP on 127.0.0.1:PORT at /mcp instead of stdio (0 picks a free port; the URL is printed as JSON)', port)
    .option('--read-only', 'list no tool that can write, and refuse every write')
    .option('--packs <list>', 'packs the tools may use (default B24_PACKS or core)')
    .option('--method-allowlist <patterns>', 'methods allowed on top of the packs, e.g. crm.lead.get,user.*')
    .option(
      '--chains <folder>',
      'a folder of chain files the chain tools may use (repeatable; default: the bundled chains/)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--plan-ttl <minutes>', 'how long a plan made through MCP stays valid', minutes, 30)
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--portal <name>', 'named profile from the credentials file')
    .option('--emulator', 'serve against an in-process emulator with the demo seed (to try it out)')
    .action(
      returnsExitCode(async (flags: McpFlags) => {
        try {
          await mcpAction(flags);
          return ExitCode.ok;
        } catch (error) {
          return printRefusalOrThrow(error, false);
        }
      }),
    );
}
