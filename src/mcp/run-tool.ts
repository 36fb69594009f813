/**
 * Every tool runs through `runTool`: it calls the handler, turns a typed refusal or failure into a tool
 * error the model can read (code, message, what to do), and writes one audit row per call: the tool,
 * the outcome, the error code, the plan, the argument NAMES (never values) and the MCP client's name.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isB24ChainError } from '../errors/index.ts';
import { isConnectionConfigError } from '../errors/index.ts';
import { isInvalidRequestError } from '../errors/index.ts';
import { isRefusalError } from '../errors/index.ts';
import type { RiskClass } from '../protocol/index.ts';
import type { AuditOutcome } from '../store/index.ts';
import type { McpContext } from './mcp-context.ts';

/** What a handler returns: the structured result, and what the audit row should say about it. */
export interface ToolSuccess {
  structured: Record<string, unknown>;
  /** A short line for clients that show text only; the JSON of `structured` follows it. */
  summary: string;
  planId?: string | undefined;
  risk?: RiskClass | undefined;
  /** `refused` when the handler answered with a refusal it wants the model to read as data (a plan waiting). */
  outcome?: AuditOutcome | undefined;
  errorCode?: string | undefined;
  /** The portal answered with an error: the model reads it as a failed call. */
  isError?: boolean | undefined;
}

export interface ToolCall {
  tool: string;
  arguments: Record<string, unknown>;
  /** The MCP client's name, as it introduced itself. */
  clientName: string;
}

function textOf(summary: string, structured: Record<string, unknown>): string {
  return `${summary}\n${JSON.stringify(structured)}`;
}

function isRefusal(error: unknown): boolean {
  return isRefusalError(error) || isInvalidRequestError(error) || isConnectionConfigError(error);
}

function planIdOf(error: unknown, call: ToolCall): string | undefined {
  const fromArguments = call.arguments.planId;
  if (typeof fromArguments === 'string') return fromArguments;
  const subject = isRefusalError(error) ? error.subject : '';
  return subject.startsWith('plan ') ? subject.slice(5) : undefined;
}

export async function runTool(context: McpContext, call: ToolCall, handler: () => Promise<ToolSuccess>): Promise<CallToolResult> {
  const started = context.clock.now();
  const audit = (outcome: AuditOutcome, fields: { errorCode?: string | undefined; planId?: string | undefined; risk?: RiskClass | undefined }): void => {
    context.audit.record({
      portal: context.client.portalKey,
      method: `mcp:${call.tool}`,
      outcome,
      errorCode: fields.errorCode,
      planId: fields.planId,
      risk: fields.risk,
      durationMs: context.clock.now() - started,
      params: call.arguments,
      packs: context.packs,
      actor: call.clientName,
      via: 'mcp',
    });
  };
  try {
    const success = await handler();
    audit(success.outcome ?? 'ok', { errorCode: success.errorCode, planId: success.planId, risk: success.risk });
    return {
      content: [{ type: 'text', text: textOf(success.summary, success.structured) }],
      structuredContent: success.structured,
      ...(success.isError === true ? { isError: true } : {}),
    };
  } catch (error) {
    if (!isB24ChainError(error)) {
      audit('error', { errorCode: 'UNEXPECTED' });
      throw error;
    }
    const refused = isRefusal(error);
    audit(refused ? 'refused' : 'error', { errorCode: error.code, planId: planIdOf(error, call) });
    const body = { error: error.toJSON() };
    return { isError: true, content: [{ type: 'text', text: `${refused ? 'Refused' : 'Failed'}: ${error.message}\n${JSON.stringify(body)}` }] };
  }
}
