/** What the emulator counts, served at `GET /_emulator/stats` for tests and benchmarks. */
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
  };
}

export function countInto(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}
