/**
 * Connects the MCP SDK's own client to `chain mcp` run as a user would: a child process over stdio, or
 * `chain mcp --http 0` and Streamable HTTP. The child's environment is only what the test passes.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { binPath, startCli } from '../../helpers/run-cli.ts';

export type ElicitHandler = (request: ElicitRequest) => ElicitResult | Promise<ElicitResult>;

export interface McpSession {
  client: Client;
  /** The elicitation requests the server sent, in order. */
  elicitations: ElicitRequest[];
  close(): Promise<void>;
}

function childEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function newClient(elicit: ElicitHandler | undefined, elicitations: ElicitRequest[]): Client {
  const client = new Client({ name: 'test-agent', version: '1.0.0' }, { capabilities: elicit === undefined ? {} : { elicitation: { form: {} } } });
  if (elicit !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicitations.push(request);
      return elicit(request);
    });
  }
  return client;
}

export async function connectStdio(env: Record<string, string | undefined>, args: string[] = [], elicit?: ElicitHandler): Promise<McpSession> {
  const elicitations: ElicitRequest[] = [];
  const client = newClient(elicit, elicitations);
  const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, 'mcp', ...args], env: childEnvironment(env), stderr: 'inherit' });
  await client.connect(transport);
  return { client, elicitations, close: () => client.close() };
}

export async function connectHttp(env: Record<string, string | undefined>, args: string[] = [], elicit?: ElicitHandler): Promise<McpSession & { url: string }> {
  const elicitations: ElicitRequest[] = [];
  const started = startCli(['mcp', '--http', '0', ...args], env);
  const url = await new Promise<string>((resolve, reject) => {
    let printed = '';
    started.child.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const line = printed.split('\n')[0];
      if (printed.includes('\n') && line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
    });
    started.child.once('exit', (code) => reject(new Error(`chain mcp --http exited with ${code} before printing its URL`)));
  });
  const client = newClient(elicit, elicitations);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    client,
    elicitations,
    url,
    close: async () => {
      await client.close();
      started.child.kill('SIGTERM');
      await started.done;
    },
  };
}
