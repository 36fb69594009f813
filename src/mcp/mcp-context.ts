/**
 * What the MCP server's tools share: the portal client, the state stores, the packs and allowlist the
 * server was started with, the chain library, and whether writes exist at all (`--read-only`).
 * Built once per server process from `McpServerOptions`; the library reads no globals.
 */
import type { Database } from '../store/index.ts';
import { resolveCallRequest } from '../call/index.ts';
import { RunStore } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import { ApprovalStore, AuditStore, IdempotencyStore, PlanStore } from '../store/index.ts';
import { systemClock, type Clock } from '../util/index.ts';

export interface McpServerOptions {
  /** The portal every tool talks to (its key binds plans and runs). */
  client: PortalClient;
  /** The state database: plans, approvals, runs, audit. */
  database: Database;
  /** `--packs` as typed (default `core`). */
  packsText?: string | undefined;
  /** `--method-allowlist` as typed. */
  allowlistText?: string | undefined;
  /** `--read-only`: no write tool is listed, and every write is refused. */
  readOnly?: boolean | undefined;
  /** Folders whose `*.yml` chains the chain tools may use (the bundled `chains/` by default). */
  chainDirectories: readonly string[];
  clock?: Clock | undefined;
  /** Time to live of the plans the server makes (default 30 min). */
  planTtlMs?: number | undefined;
  /** What a person adds to `chain approve` to reach this state database (`--db PATH`). */
  approveArguments?: readonly string[] | undefined;
}

export interface McpContext {
  client: PortalClient;
  database: Database;
  clock: Clock;
  plans: PlanStore;
  approvals: ApprovalStore;
  audit: AuditStore;
  idempotency: IdempotencyStore;
  runs: RunStore;
  packsText: string;
  allowlistText: string | undefined;
  packs: string[];
  allowlist: string[];
  readOnly: boolean;
  chainDirectories: readonly string[];
  planTtlMs: number | undefined;
  approveArguments: readonly string[];
}

/** Validates the packs and allowlist once, up front (a bad `--packs` refuses to start). */
export function createMcpContext(options: McpServerOptions): McpContext {
  const clock = options.clock ?? systemClock;
  const packsText = options.packsText?.trim() || 'core';
  const access = resolveCallRequest({ method: 'server.time', packsText, allowlistText: options.allowlistText });
  return {
    client: options.client,
    database: options.database,
    clock,
    plans: new PlanStore(options.database, { clock, ...(options.planTtlMs === undefined ? {} : { ttlMs: options.planTtlMs }) }),
    approvals: new ApprovalStore(options.database, { clock }),
    audit: new AuditStore(options.database, { clock }),
    idempotency: new IdempotencyStore(options.database, { clock }),
    runs: new RunStore(options.database, clock),
    packsText,
    allowlistText: options.allowlistText,
    packs: access.packs,
    allowlist: access.allowlist,
    readOnly: options.readOnly === true,
    chainDirectories: options.chainDirectories,
    planTtlMs: options.planTtlMs,
    approveArguments: options.approveArguments ?? [],
  };
}
