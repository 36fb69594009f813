/**
 * A synchronous call into an asynchronous `pg` connection (the pattern of the `synckit` library): a
 * worker thread owns the connection; `call` posts a request, blocks this thread in `Atomics.wait`
 * until the worker posts the answer and flips a shared flag, then takes the answer with
 * `receiveMessageOnPort`. Each statement is one loopback round trip during which the event loop does
 * not run. A call that gets no answer within `timeoutMs` throws `STATE_DB_TIMEOUT` and the bridge is
 * closed: it never hangs for ever.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { StateDatabaseError } from '../../errors/index.ts';
import type { BridgeAnswer, BridgeRequest, BridgeWorkerData } from './bridge-protocol.ts';

export const defaultStatementTimeoutMs = 30_000;

type RequestBody = BridgeRequest extends infer Request ? (Request extends BridgeRequest ? Omit<Request, 'id'> : never) : never;

/**
 * In dist/ the worker is the .js beside this file. Under tsx (tests load src/) it is the .ts, loaded
 * through tsx's API: tsx's `--import` hooks do not reach worker threads on Node 20.
 */
function startWorker(workerData: BridgeWorkerData, transferList: MessagePort[]): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./postgres-worker.js', import.meta.url), { workerData, transferList });
  const entry = new URL('./postgres-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { eval: true, workerData, transferList });
}

export class SyncBridge {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private nextId = 1;
  private closed = false;

  constructor(
    connectionString: string,
    /** Printed in errors: the URL without its password. */
    private readonly label: string,
    private readonly timeoutMs = defaultStatementTimeoutMs,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: BridgeWorkerData = { connectionString, signal: this.signal, port: port2 };
    this.worker = startWorker(workerData, [port2]);
    // Neither keeps the process alive: a command that forgets to close still exits.
    this.worker.unref();
    this.port.unref();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends one request and blocks until its answer (or the timeout). */
  call(body: RequestBody): Extract<BridgeAnswer, { ok: true }> | Extract<BridgeAnswer, { ok: false }> {
    if (this.closed) {
      throw new StateDatabaseError(`${this.label}: the state database connection is closed (STATE_DB_CLOSED).`, {
        code: 'STATE_DB_CLOSED',
        path: this.label,
        hint: 'Open it again (a statement that timed out closes it).',
      });
    }
    const id = this.nextId++;
    this.port.postMessage({ ...body, id } as BridgeRequest);
    const deadline = Date.now() + this.timeoutMs;
    // The worker posts an answer, then raises the flag. Lowering the flag before looking at the port means
    // an answer posted after the look finds the flag raised, so the wait returns at once: no lost wake-up.
    for (;;) {
      Atomics.store(this.signal, 0, 0);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) {
        const answer = received.message as BridgeAnswer;
        if (answer.id === id) return answer;
        continue; // an answer to an earlier request: skip it
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return this.timedOut();
      Atomics.wait(this.signal, 0, 0, remaining);
    }
  }

  private timedOut(): never {
    this.closed = true;
    void this.worker.terminate();
    throw new StateDatabaseError(`${this.label}: PostgreSQL did not answer within ${Math.round(this.timeoutMs / 1000)} s (STATE_DB_TIMEOUT).`, {
      code: 'STATE_DB_TIMEOUT',
      path: this.label,
      hint: 'Check that the server is up and reachable, and that no other session holds a lock for long; then run the command again (a run resumes from its checkpoint).',
    });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ kind: 'close' });
    } catch {
      // closing anyway
    }
    this.closed = true;
    void this.worker.terminate();
  }
}
