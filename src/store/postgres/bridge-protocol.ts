/**
 * The messages between the main thread (`SyncBridge`) and the worker thread that owns the PostgreSQL
 * connection (`postgres-worker.ts`). Plain data: they cross `postMessage`. `reconnect`: the request is
 * outside a transaction, so a lost connection may be replaced for it.
 */
import type { MessagePort } from 'node:worker_threads';

export interface BridgeWorkerData {
  connectionString: string;
  /** Int32Array over a SharedArrayBuffer: the worker sets [0] to 1 and notifies once an answer is posted. */
  signal: Int32Array;
  port: MessagePort;
}

export type BridgeRequest =
  /** One statement with `$n` parameters; `prepare` names a server-side prepared statement (reused). */
  | { id: number; kind: 'query'; text: string; values: unknown[]; prepare?: string; reconnect?: boolean }
  /** Several statements without parameters (the simple protocol): schema changes, BEGIN, COMMIT. */
  | { id: number; kind: 'exec'; text: string; reconnect?: boolean }
  | { id: number; kind: 'close' };

export interface BridgeFailure {
  message: string;
  /** SQLSTATE (`40001`…) or a Node error code (`ECONNREFUSED`…). */
  code?: string;
  detail?: string;
}

export type BridgeAnswer =
  | { id: number; ok: true; rows: Array<Record<string, unknown>>; fields: string[]; rowCount: number }
  | { id: number; ok: false; error: BridgeFailure };
