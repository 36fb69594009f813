/** Progress and diagnostics hooks for the CLI's progress display. Every hook is optional and synchronous. */
import type { LimiterWait } from '../limiter/index.ts';

export interface RequestEvent {
  /** `batch` for batch requests. */
  method: string;
  /** Commands carried (1 for a plain call). */
  commands: number;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface ResponseEvent extends RequestEvent {
  /** HTTP status, or 0 when no answer came. */
  status: number;
  durationMs: number;
}

export interface RetryEvent {
  method: string;
  attempt: number;
  delayMs: number;
  reason: string;
  /** The error's code (`QUERY_LIMIT_EXCEEDED`, `NETWORK_ERROR`...). */
  code: string;
}

export interface RowsEvent {
  method: string;
  /** Rows in this page. */
  rows: number;
  /** Rows read so far by this list. */
  rowsRead: number;
  /** The count learnt from the portal, when known. */
  total?: number;
}

export interface ListFallbackEvent {
  method: string;
  reason: string;
}

export interface TokenRefreshEvent {
  tokenKey: string;
  /** True when another process had already refreshed and the stored tokens were reloaded. */
  reloaded: boolean;
}

export interface ClientHooks {
  onRequest?: (event: RequestEvent) => void;
  onResponse?: (event: ResponseEvent) => void;
  onRetry?: (event: RetryEvent) => void;
  onLimiterWait?: (wait: LimiterWait) => void;
  onRows?: (event: RowsEvent) => void;
  /** A list could not use keyset pagination and pages with `start` offsets. */
  onListFallback?: (event: ListFallbackEvent) => void;
  onTokenRefresh?: (event: TokenRefreshEvent) => void;
}
