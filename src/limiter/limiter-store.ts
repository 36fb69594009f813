/**
 * Where the limiter keeps its state. Memory for one process; SQLite so every process on a host shares
 * one budget per portal; Redis so processes on many hosts do. Every method is atomic per key. The
 * bucket methods take the request-bucket key, the method ones the operating key (`LimiterKeys`).
 */
import type { BucketSettings } from './leaky-bucket.ts';

/**
 * What the limiter keys its state by, as the portal keys its limits (protocol.md §3): the request
 * bucket by portal (and source IP: an egress label), the operating budget by portal, auth kind,
 * credential and method. Neither may contain a secret.
 */
export interface LimiterKeys {
  /** The request bucket: the portal host, plus `#label` when B24_EGRESS_LABEL is set. */
  bucket: string;
  /** The operating budget (the method is added by the store): portal host, auth kind, credential digest. */
  operating: string;
}

export interface OperatingObservation {
  /** Seconds the method used over the last 10 minutes (`time.operating`). */
  operating: number;
  /** `operating_reset_at` in unix ms, when known. */
  resetAtMs?: number;
}

export interface MethodState {
  operating: number;
  resetAtMs: number | undefined;
  observedAtMs: number;
  /** The method must not be called before this time (ms). */
  blockedUntilMs: number | undefined;
}

export interface LimiterStore {
  /** Takes a reservation for `key`; resolves to the time the request may be sent (ms). */
  reserve(key: string, settings: BucketSettings, nowMs: number): Promise<number>;
  /** Gives a reservation back: the request was not sent. */
  release(key: string, settings: BucketSettings, nowMs: number): Promise<void>;
  /** The portal refused with 503 QUERY_LIMIT_EXCEEDED. */
  recordRefusal(key: string, settings: BucketSettings, nowMs: number): Promise<void>;
  /** Records `time.operating` for a method; blocks it until `resetAtMs` once `operating ≥ limitSeconds`. */
  observeOperating(key: string, method: string, observation: OperatingObservation, nowMs: number, limitSeconds: number): Promise<void>;
  /** Blocks a method (after 429 OPERATION_TIME_LIMIT). */
  blockMethod(key: string, method: string, untilMs: number, nowMs: number): Promise<void>;
  /**
   * What is known of a method; `undefined` when nothing is. `nowMs` is the caller's clock, for stores
   * that keep time on a server of their own (Redis) and convert its times to the caller's.
   */
  methodState(key: string, method: string, nowMs?: number): Promise<MethodState | undefined>;
  close(): Promise<void>;
}

/** The block a new observation implies. Pure. */
export function blockFromObservation(observation: OperatingObservation, nowMs: number, limitSeconds: number, fallbackMs: number): number | undefined {
  if (limitSeconds <= 0 || observation.operating < limitSeconds) return undefined;
  return observation.resetAtMs !== undefined && observation.resetAtMs > nowMs ? observation.resetAtMs : nowMs + fallbackMs;
}

/** How long to block a method whose limit was reached but whose reset time is unknown. */
export const UNKNOWN_RESET_BLOCK_MS = 60_000;
