import { B24ChainError } from './b24chain-error.ts';

/**
 * `connect`: the connection could not be made, so nothing was sent (safe to retry any request).
 * `exchange`: the connection failed after the request may have been sent (a write's outcome is unknown).
 */
export type NetworkPhase = 'connect' | 'exchange';

/** The HTTP exchange failed below the HTTP level: refused, reset, closed, TLS failure. */
export class NetworkError extends B24ChainError {
  override name = 'NetworkError';
  readonly method: string;
  readonly phase: NetworkPhase;
  /** The low-level code (`ECONNREFUSED`, `UND_ERR_SOCKET`...). */
  readonly systemCode: string;

  constructor(data: { method: string; phase: NetworkPhase; systemCode: string; detail: string; cause?: unknown }) {
    const when = data.phase === 'connect' ? 'could not connect' : 'the connection failed during the exchange';
    super(`${data.method}: ${when}: ${data.detail} (NETWORK_ERROR ${data.systemCode}).`, {
      code: 'NETWORK_ERROR',
      hint: 'Check the portal address and the network; transient failures are retried automatically.',
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.method = data.method;
    this.phase = data.phase;
    this.systemCode = data.systemCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), method: this.method, phase: this.phase, systemCode: this.systemCode };
  }
}

export function isNetworkError(value: unknown): value is NetworkError {
  return value instanceof NetworkError || (value instanceof Error && value.name === 'NetworkError');
}
