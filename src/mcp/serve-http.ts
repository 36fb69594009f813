/**
 * Streamable HTTP on 127.0.0.1 only: one MCP server and transport per session (the SDK's stateful
 * mode, so elicitation reaches the client on the request's stream). Host and Origin are checked
 * against the loopback address (DNS-rebinding protection).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from './create-mcp-server.ts';
import type { McpContext } from './mcp-context.ts';

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function reply(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

export async function serveHttp(context: McpContext, port: number): Promise<RunningHttpServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  let allowedHosts: string[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!request.url?.startsWith('/mcp')) return reply(response, 404, 'Not found: the MCP endpoint is /mcp');
    const sessionId = request.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (request.method !== 'POST') {
      if (existing === undefined) return reply(response, 400, 'Unknown or missing session id');
      return existing.handleRequest(request, response);
    }
    let body: unknown;
    try {
      body = await readJson(request);
    } catch {
      return reply(response, 400, 'The body is not JSON');
    }
    if (existing !== undefined) return existing.handleRequest(request, response, body);
    if (sessionId !== undefined || !isInitializeRequest(body)) return reply(response, 400, 'Unknown session: initialize first');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
    };
    await createMcpServer(context).connect(transport);
    return transport.handleRequest(request, response, body);
  };
  const http: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) reply(response, 500, 'Internal error');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (http.address() as AddressInfo).port;
  allowedHosts = [`127.0.0.1:${bound}`, `localhost:${bound}`];
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    port: bound,
    close: async () => {
      for (const transport of transports.values()) await transport.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
