/**
 * `chain serve-events`: an HTTP receiver for online events (DESIGN.md §8). POST only, form-encoded,
 * bounded body; installs are accepted only when proven (`installs`), each event is checked
 * (`acceptOnlineEvent`) and stored in the SQLite inbox before the answer, then handed to the handler
 * chain in the background, with its own portal's client. Online events are delivered at most once
 * by the portal; from the inbox on, processing is at least once, and the handler's keyed writes make
 * the effects happen once. Log lines never carry a token.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../store/index.ts';
import { resolveHandlerInputs } from './load-handler.ts';
import { checkWriteGates } from '../runner/index.ts';
import { RunStore } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { acceptOnlineEvent, type ReceiverAnswer } from './accept-online-event.ts';
import { DeadLetterStore } from '../store/index.ts';
import { InboxStore } from '../store/index.ts';
import type { InstallGate } from './install-gate.ts';
import type { EventHandler } from './load-handler.ts';
import { processInbox } from './process-inbox.ts';

export interface ReceiverProcessing {
  handler: EventHandler;
  /** The client of a portal's verified install (by `member_id`); never a shared connection. */
  clientFor(memberId: string): Promise<PortalClient | undefined> | PortalClient | undefined;
  inputs?: Readonly<Record<string, unknown>>;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  concurrency?: number;
  /** Retries after the first failure (5). */
  maxRetries?: number;
  /** Wait before a failed event is tried again (3 s). */
  retryDelayMs?: number;
}

export interface EventReceiverOptions {
  database: Database;
  /** Verifies installs and keeps each portal's tokens (`createInstallGate`). */
  installs: InstallGate;
  /** Without it events are only stored. */
  processing?: ReceiverProcessing;
  /** 0 picks a free port. */
  port?: number;
  /** 127.0.0.1 by default: put a TLS-terminating proxy in front (the portal only posts to public HTTPS URLs). */
  host?: string;
  /** Larger bodies are refused with 413 (64 KiB). */
  maxBodyBytes?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

export interface EventReceiver {
  url: string;
  port: number;
  /** Processes what is pending now and resolves when the round is over (tests, shutdown). */
  drain(): Promise<void>;
  /** Stops accepting, finishes the round in flight. */
  close(): Promise<void>;
}

const BATCH = 50;

function send(response: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > maxBytes) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startEventReceiver(options: EventReceiverOptions): Promise<EventReceiver> {
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const log = options.log ?? (() => undefined);
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const inbox = new InboxStore(options.database, clock);
  const deadLetters = new DeadLetterStore(options.database, clock);
  const processing = options.processing;
  if (processing)
    checkWriteGates(processing.handler.summary, { confirmWrite: processing.confirmWrite === true, confirmDestructive: processing.confirmDestructive === true });
  const handlerRun = processing
    ? {
        handler: processing.handler,
        runs: new RunStore(options.database, clock),
        inputs: resolveHandlerInputs(processing.handler, processing.inputs ?? {}),
        confirmWrite: processing.confirmWrite === true,
        confirmDestructive: processing.confirmDestructive === true,
        concurrency: processing.concurrency ?? 4,
      }
    : undefined;

  let round: Promise<void> | undefined;
  let again = false;
  const runRounds = async (): Promise<void> => {
    if (!handlerRun || !processing) return;
    for (let rounds = 0; rounds < 10_000; rounds += 1) {
      again = false;
      try {
        const result = await processInbox({
          inbox,
          deadLetters,
          handlerRun,
          clientFor: (memberId) => processing.clientFor(memberId),
          maxRetries: processing.maxRetries ?? 5,
          limit: BATCH,
          retryDelayMs: processing.retryDelayMs ?? 3000,
          now,
        });
        if (result.done + result.failed + result.deadLettered + result.unsettled > 0) {
          log(`processed inbox: ${result.done} done, ${result.failed} failed (will retry), ${result.deadLettered} dead-lettered, ${result.unsettled} waiting`);
        }
        for (const failure of result.errors) log(`processing the events of member ${failure.memberId} failed (will retry): ${failure.message}`);
        if (result.done + result.deadLettered === 0 && !again) return;
      } catch (error) {
        log(`processing failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
  };
  const schedule = (): Promise<void> => {
    if (round) {
      again = true;
      return round;
    }
    round = runRounds().finally(() => {
      round = undefined;
    });
    return round;
  };
  const retryTimer = handlerRun ? setInterval(() => void schedule(), processing?.retryDelayMs ?? 3000) : undefined;
  retryTimer?.unref();

  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST') {
        send(response, 405, { error: 'METHOD_NOT_ALLOWED', error_description: 'Events are posted.' }, { allow: 'POST' });
        return;
      }
      const type = String(request.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        send(response, 415, { error: 'UNSUPPORTED_MEDIA_TYPE', error_description: 'Events are form-encoded (application/x-www-form-urlencoded).' });
        return;
      }
      const body = await readBody(request, maxBodyBytes);
      if (body === 'too-large') {
        log(`refused a post larger than ${maxBodyBytes} bytes (413)`);
        response.once('finish', () => request.destroy());
        send(response, 413, { error: 'PAYLOAD_TOO_LARGE', error_description: `At most ${maxBodyBytes} bytes.` }, { connection: 'close' });
        return;
      }
      let answer: ReceiverAnswer;
      try {
        answer = await acceptOnlineEvent(inbox, options.installs, body);
      } catch (error) {
        log(`could not store an event: ${error instanceof Error ? error.message : String(error)} (503)`);
        send(response, 503, { error: 'INBOX_UNAVAILABLE', error_description: 'The event could not be stored.' });
        return;
      }
      log(answer.log);
      send(response, answer.status, answer.body);
      if (answer.acceptedId !== undefined) void schedule();
    })().catch(() => {
      if (!response.headersSent) send(response, 500, { error: 'INTERNAL_ERROR', error_description: 'The receiver failed.' });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  void schedule();
  return {
    url: `http://${host}:${address.port}/`,
    port: address.port,
    drain: async () => {
      await round;
      await schedule();
    },
    close: async () => {
      if (retryTimer) clearInterval(retryTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await round;
    },
  };
}
