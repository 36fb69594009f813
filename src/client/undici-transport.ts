/**
 * The real transport: undici with a keep-alive pool, connect and response timeouts, and the caller's
 * abort signal on every request. Low-level failures become `NetworkError` / `TimeoutError` that say
 * whether the request can have reached the portal.
 */
import { Agent, request } from 'undici';
import { NetworkError } from '../errors/index.ts';
import { redactSecrets } from '../errors/index.ts';
import { TimeoutError } from '../errors/index.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

export interface UndiciTransportOptions {
  /** Time to open a connection (TCP + TLS), ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Time to the response headers, and between body chunks, ms (default 70 s: a cloud call may run 60 s). */
  responseTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this, ms (default 4 s). */
  keepAliveTimeoutMs?: number;
  /** Connections per origin (default 16). */
  connections?: number;
  /** Extra CA certificates (PEM), e.g. the emulator's `--tls` certificate. */
  ca?: string | string[];
  /** Default true. Turn off only for a loopback test server. */
  rejectUnauthorized?: boolean;
}

const defaults = {
  connectTimeoutMs: 10_000,
  responseTimeoutMs: 70_000,
  keepAliveTimeoutMs: 4_000,
  connections: 16,
  rejectUnauthorized: true,
} as const satisfies Partial<Record<keyof UndiciTransportOptions, unknown>>;

/** Failure codes that mean the connection never opened: nothing reached the portal. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = current.cause;
  }
  return 'UNKNOWN';
}

/** A copy of a low-level error with secrets masked, safe to keep as `cause`. */
function safeCause(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const copy = new Error(redactSecrets(message));
  const code = errorCode(error);
  if (code !== 'UNKNOWN') Object.assign(copy, { code });
  return copy;
}

export function toTransportError(error: unknown, label: string, timeouts: { connectTimeoutMs: number; responseTimeoutMs: number }): Error {
  const code = errorCode(error);
  const cause = safeCause(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new TimeoutError({ method: label, timeoutMs: timeouts.connectTimeoutMs, phase: 'connect', cause });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TimeoutError({ method: label, timeoutMs: timeouts.responseTimeoutMs, phase: 'response', cause });
  }
  const phase = CONNECT_CODES.has(code) ? 'connect' : 'exchange';
  return new NetworkError({ method: label, phase, systemCode: code, detail: cause.message, cause });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  const connectTimeoutMs = options.connectTimeoutMs ?? defaults.connectTimeoutMs;
  const responseTimeoutMs = options.responseTimeoutMs ?? defaults.responseTimeoutMs;
  const agent = new Agent({
    connections: options.connections ?? defaults.connections,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? defaults.keepAliveTimeoutMs,
    headersTimeout: responseTimeoutMs,
    bodyTimeout: responseTimeoutMs,
    connect: {
      timeout: connectTimeoutMs,
      rejectUnauthorized: options.rejectUnauthorized ?? defaults.rejectUnauthorized,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    },
  });
  let closing: Promise<void> | undefined;
  return {
    async send(outgoing: TransportRequest, label: string): Promise<TransportResponse> {
      outgoing.signal?.throwIfAborted();
      try {
        const response = await request(outgoing.url, {
          dispatcher: agent,
          method: outgoing.method,
          headers: outgoing.headers,
          body: outgoing.body ?? null,
          signal: outgoing.signal ?? null,
          headersTimeout: responseTimeoutMs,
          bodyTimeout: responseTimeoutMs,
        });
        const bodyText = await response.body.text();
        return { status: response.statusCode, headers: flattenHeaders(response.headers), bodyText };
      } catch (error) {
        if (outgoing.signal?.aborted) throw outgoing.signal.reason;
        throw toTransportError(error, label, { connectTimeoutMs, responseTimeoutMs });
      }
    },
    close: () => {
      closing ??= agent.close();
      return closing;
    },
  };
}
