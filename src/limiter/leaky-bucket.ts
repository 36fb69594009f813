/**
 * The client's mirror of the portal's request-intensity leaky bucket (protocol.md §3), as pure maths
 * over a stored state. Each request takes a reservation: the time at which it may be sent so the
 * portal's counter stays within the burst. Reservations are handed out in order (a virtual counter
 * that may run ahead of now), so waiters never stampede and never poll.
 */

export interface BucketSettings {
  /** Drain per second (2; enterprise 5). */
  rate: number;
  /** Bucket size (50; enterprise 250). */
  burst: number;
  /** Requests of the burst kept free for latency jitter and other clients (default 1). */
  headroom: number;
  /**
   * After a 503, the drain is assumed this much slower (0 < factor ≤ 1) for `refusalCooldownMs`;
   * each further 503 within the cooldown multiplies it again (down to 5 % of the rate).
   */
  refusalSlowdown: number;
  refusalCooldownMs: number;
}

export interface BucketState {
  /** The counter, including reservations not sent yet (may exceed the burst). */
  level: number;
  /** When `level` was computed (ms). */
  updatedAtMs: number;
  /** The last 503 QUERY_LIMIT_EXCEEDED seen (ms), or 0. */
  refusedAtMs: number;
  /** Share of the rate assumed while the cooldown runs (1 = none). */
  slowdown: number;
}

const MIN_SLOWDOWN = 0.05;

export const emptyBucket = (nowMs: number): BucketState => ({ level: 0, updatedAtMs: nowMs, refusedAtMs: 0, slowdown: 1 });

function cooling(state: BucketState, settings: BucketSettings, nowMs: number): boolean {
  return state.refusedAtMs > 0 && nowMs - state.refusedAtMs < settings.refusalCooldownMs;
}

function effectiveRate(state: BucketState, settings: BucketSettings, nowMs: number): number {
  return cooling(state, settings, nowMs) ? settings.rate * state.slowdown : settings.rate;
}

/** The counter drained up to `nowMs`. */
export function drainedLevel(state: BucketState, settings: BucketSettings, nowMs: number): number {
  const elapsedSeconds = Math.max(0, nowMs - state.updatedAtMs) / 1000;
  return Math.max(0, state.level - elapsedSeconds * effectiveRate(state, settings, nowMs));
}

/** Takes one reservation at `nowMs`: the new state and the time the request may be sent. */
export function reserveSlot(state: BucketState, settings: BucketSettings, nowMs: number): { state: BucketState; sendAtMs: number } {
  const capacity = Math.max(1, settings.burst - settings.headroom);
  const level = drainedLevel(state, settings, nowMs);
  const rate = effectiveRate(state, settings, nowMs);
  const excess = level + 1 - capacity;
  const sendAtMs = excess <= 0 ? nowMs : nowMs + Math.ceil((excess / rate) * 1000);
  return { state: { ...state, level: level + 1, updatedAtMs: nowMs }, sendAtMs };
}

/** Gives a reservation back (the request was never sent). */
export function releaseSlot(state: BucketState, settings: BucketSettings, nowMs: number): BucketState {
  const level = drainedLevel(state, settings, nowMs);
  return { ...state, level: Math.max(0, level - 1), updatedAtMs: nowMs };
}

/**
 * The portal said 503 QUERY_LIMIT_EXCEEDED: its counter is at the burst, whatever we thought, and
 * something (another client, a wrong rate setting) drains it slower than assumed: slow down, more
 * with every refusal that follows within the cooldown.
 */
export function recordRefusal(state: BucketState, settings: BucketSettings, nowMs: number): BucketState {
  const level = drainedLevel(state, settings, nowMs);
  const previous = cooling(state, settings, nowMs) ? state.slowdown : 1;
  return {
    level: Math.max(level, settings.burst),
    updatedAtMs: nowMs,
    refusedAtMs: nowMs,
    slowdown: Math.max(MIN_SLOWDOWN, previous * settings.refusalSlowdown),
  };
}
