/**
 * The worker thread behind `PostgresDatabase`: it owns one `pg` connection, runs each request the main
 * thread posts, posts the answer and wakes the main thread (blocked in `Atomics.wait`). One request at
 * a time: the main thread waits for each answer before it sends the next. A connection that was lost
 * (server restart, idle timeout, network) is opened again for the next request the main thread marks
 * `reconnect` (one outside a transaction); inside a transaction the loss is an error.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import type { BridgeAnswer, BridgeFailure, BridgeRequest, BridgeWorkerData } from './bridge-protocol.ts';

const { connectionString, signal, port } = workerData as BridgeWorkerData;

// int8 (COUNT, BIGINT columns) and numeric come back as text from pg: numbers, as SQLite gives them.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

let client: pg.Client;
let lost: BridgeFailure | undefined;
let connected: Promise<void>;

function connect(): void {
  const fresh = new pg.Client({ connectionString, types, application_name: 'b24chain' });
  client = fresh;
  lost = undefined;
  fresh.on('error', (error: Error & { code?: string }) => {
    if (client === fresh) lost = { message: `the connection was lost: ${error.message}`, ...(error.code === undefined ? {} : { code: error.code }) };
  });
  connected = fresh.connect().then(
    () => undefined,
    (error: Error & { code?: string }) => {
      lost = { message: `cannot connect: ${error.message}`, ...(error.code === undefined ? {} : { code: error.code }) };
    },
  );
}
connect();

/** The server ended the session (terminated, restarted) or the socket broke: worth one new connection. */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return (typeof code === 'string' && /^(57P0[123]|08\d{3}|ECONNRESET|EPIPE)$/.test(code)) || /Connection terminated|not queryable/i.test(message);
}

function failureOf(error: unknown): BridgeFailure {
  const { message, code, detail } = error as { message?: string; code?: string; detail?: string };
  return {
    message: message ?? String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
  };
}

async function answer(request: BridgeRequest): Promise<BridgeAnswer> {
  await connected;
  if (lost !== undefined && request.kind !== 'close' && request.reconnect === true) {
    void client.end().catch(() => undefined);
    connect();
    await connected;
  }
  if (lost !== undefined) return { id: request.id, ok: false, error: lost };
  try {
    if (request.kind === 'close') {
      await client.end();
      return { id: request.id, ok: true, rows: [], fields: [], rowCount: 0 };
    }
    if (request.kind === 'exec') {
      await client.query(request.text);
      return { id: request.id, ok: true, rows: [], fields: [], rowCount: 0 };
    }
    const result = await client.query({ text: request.text, values: request.values, ...(request.prepare === undefined ? {} : { name: request.prepare }) });
    return { id: request.id, ok: true, rows: result.rows, fields: result.fields.map((field) => field.name), rowCount: result.rowCount ?? 0 };
  } catch (error) {
    if (isConnectionLoss(error)) lost ??= { message: `the connection was lost: ${failureOf(error).message}` };
    return { id: request.id, ok: false, error: failureOf(error) };
  }
}

port.on('message', (request: BridgeRequest) => {
  void answer(request).then((reply) => {
    port.postMessage(reply);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
    if (request.kind === 'close') port.close();
  });
});
