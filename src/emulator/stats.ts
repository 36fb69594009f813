/** What the emulator counts, served at `GET /_emulator/stats` (all portals, or `?portal=NAME`) for tests and benchmarks. */
export interface EmulatorStats {
  /** HTTP requests to `/rest/`, refused ones included. */
  httpRequests: number;
  /** Method executions, each command of a batch counted. */
  commands: number;
  /** Executions by lower-case method name (`batch` counts the batch request itself). */
  methods: Record<string, number>;
  /** Refusals and errors by error code (`""` for the empty legacy code). */
  refusals: Record<string, number>;
  /** HTTP responses by status. */
  statuses: Record<string, number>;
  /** Successful refresh-token exchanges at `/oauth/token/`. */
  tokenRefreshes: number;
  /** Connections dropped by fault injection. */
  droppedConnections: number;
  /** Peak simultaneous requests in flight. */
  peakConcurrency: number;
  /** REST 3.0 (`/rest/api/`): requests, executions by method (also counted in `methods`), `Idempotency-Key` replays answered. */
  v3: { requests: number; methods: Record<string, number>; replays: number };
  /** Emulator clock (ms) of the first and the last `/rest/` request; null before any. The achieved rate is `httpRequests` over their distance. */
  firstRequestAtMs: number | null;
  lastRequestAtMs: number | null;
}

export function emptyStats(): EmulatorStats {
  return {
    httpRequests: 0,
    commands: 0,
    methods: {},
    refusals: {},
    statuses: {},
    tokenRefreshes: 0,
    droppedConnections: 0,
    peakConcurrency: 0,
    v3: { requests: 0, methods: {}, replays: 0 },
    firstRequestAtMs: null,
    lastRequestAtMs: null,
  };
}

export function countInto(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** One `/rest/` request arrived at `nowMs`. */
export function countRequest(stats: EmulatorStats, nowMs: number): void {
  stats.httpRequests += 1;
  stats.firstRequestAtMs ??= nowMs;
  stats.lastRequestAtMs = nowMs;
}

function addMap(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) countInto(into, key, value);
}

/** The emulator-wide statistics: every portal's added up (peak concurrency is the emulator's own). */
export function sumStats(parts: readonly EmulatorStats[], peakConcurrency: number): EmulatorStats {
  const total = emptyStats();
  for (const part of parts) {
    total.httpRequests += part.httpRequests;
    total.commands += part.commands;
    addMap(total.methods, part.methods);
    addMap(total.refusals, part.refusals);
    addMap(total.statuses, part.statuses);
    total.tokenRefreshes += part.tokenRefreshes;
    total.droppedConnections += part.droppedConnections;
    total.v3.requests += part.v3.requests;
    addMap(total.v3.methods, part.v3.methods);
    total.v3.replays += part.v3.replays;
    if (part.firstRequestAtMs !== null) total.firstRequestAtMs = Math.min(total.firstRequestAtMs ?? part.firstRequestAtMs, part.firstRequestAtMs);
    if (part.lastRequestAtMs !== null) total.lastRequestAtMs = Math.max(total.lastRequestAtMs ?? part.lastRequestAtMs, part.lastRequestAtMs);
  }
  total.peakConcurrency = peakConcurrency;
  return total;
}
