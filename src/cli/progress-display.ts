/**
 * What a long command shows while it works: on a terminal, one line redrawn in place (rows read, items
 * done, requests, limiter waits, rate, ETA); without a terminal (a log under a service manager), the
 * same line printed every `textIntervalMs` and whenever a limiter wait starts; with `--json`, progress
 * events as JSON lines on stderr (schemas/progress-event.schema.json), at most a few per second.
 * A ticker re-renders the last state once a second, with fresh client counters, so a long pause on the
 * limiter shows as "waiting" instead of a frozen line.
 */
export interface ProgressSnapshot {
  runId?: string;
  stepId?: string;
  rows: number;
  itemsDone: number;
  itemsFailed: number;
  requests: number;
  /** Wall time spent waiting on the limiter so far. */
  limiterWaitMs: number;
  /** How long the current limiter wait still lasts (0 or absent: not waiting). */
  limiterWaitingMs?: number;
  /** Rows the list will yield in all, when the portal counted them. */
  expectedRows?: number;
}

/** Where the pace is measured from: the start, or the moment the limiter first made the run wait. */
export interface PaceOrigin {
  elapsedMs: number;
  itemsDone: number;
}

/**
 * Time left at the current pace, from items done against the rows expected (null when unknown). Once the
 * burst is spent (`since`: the first limiter wait), the pace is measured from then on: the drain rate,
 * not the burst speed of the first seconds.
 */
export function estimateRemainingMs(
  snapshot: Pick<ProgressSnapshot, 'rows' | 'itemsDone' | 'expectedRows'>,
  elapsedMs: number,
  since?: PaceOrigin,
): number | null {
  if (snapshot.expectedRows === undefined || snapshot.itemsDone === 0 || elapsedMs <= 0) return null;
  const remaining = Math.max(0, snapshot.expectedRows - snapshot.itemsDone);
  if (since !== undefined) {
    const items = snapshot.itemsDone - since.itemsDone;
    const duration = elapsedMs - since.elapsedMs;
    if (items <= 0 || duration < MIN_DRAIN_SAMPLE_MS) return null; // not enough seen at the drain rate yet
    return Math.round((remaining * duration) / items);
  }
  return Math.round((remaining * elapsedMs) / snapshot.itemsDone);
}

export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  /** Re-renders the last state with fresh counters (the ticker calls it once a second). */
  tick(): void;
  message(text: string): void;
  close(): void;
}

export interface ProgressDisplayOptions {
  json: boolean;
  stream?: NodeJS.WriteStream;
  now?: () => number;
  /** Without a terminal, a progress line at most this often (default 10 s); 0 turns them off. */
  textIntervalMs?: number;
  /** Fresh counters for `tick()` (the client's requests and limiter waits). */
  refresh?: () => Partial<Pick<ProgressSnapshot, 'requests' | 'limiterWaitMs' | 'limiterWaitingMs'>>;
  /** Re-render once a second on a timer (default true; tests call `tick()` themselves). */
  ticker?: boolean;
}

/** Terminal redraws at most 4 times a second; JSON lines at most 10 times a second; plain lines every 10 s. */
const INTERVAL_MS = 250;
const JSON_INTERVAL_MS = 100;
const TEXT_INTERVAL_MS = 10_000;
const TICK_MS = 1_000;
/** The drain-rate pace needs this much time after the first wait before it is trusted. */
const MIN_DRAIN_SAMPLE_MS = 2_000;
/** A limiter wait shorter than this is not worth a "waiting" line of its own. */
const NOTABLE_WAIT_MS = 2_000;

export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const textIntervalMs = options.textIntervalMs ?? TEXT_INTERVAL_MS;
  const started = now();
  let lastShown = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let closed = false;
  let last: ProgressSnapshot | undefined;
  let drainOrigin: PaceOrigin | undefined;
  let waitingShown = false;
  const interactive = !options.json && stream.isTTY === true;

  const eta = (snapshot: ProgressSnapshot, time: number): number | null => estimateRemainingMs(snapshot, time - started, drainOrigin);

  const format = (snapshot: ProgressSnapshot, time: number): string => {
    const seconds = Math.max(0.001, (time - started) / 1000);
    const rate = Math.round(snapshot.itemsDone / seconds);
    const left = eta(snapshot, time);
    const etaText = left === null ? '' : `, ETA ${Math.ceil(left / 1000)} s`;
    const waiting = (snapshot.limiterWaitingMs ?? 0) > 0 ? `, waiting for the limiter (${Math.ceil((snapshot.limiterWaitingMs ?? 0) / 1000)} s left)` : '';
    return `${snapshot.stepId ?? 'run'}: ${snapshot.rows}${snapshot.expectedRows === undefined ? '' : `/${snapshot.expectedRows}`} rows read, ${snapshot.itemsDone} items done${snapshot.itemsFailed ? `, ${snapshot.itemsFailed} failed` : ''}, ${snapshot.requests} requests, limiter waited ${(snapshot.limiterWaitMs / 1000).toFixed(1)} s, ${rate} items/s, ${seconds.toFixed(0)} s${etaText}${waiting}`;
  };

  const show = (snapshot: ProgressSnapshot): void => {
    if (closed) return;
    const time = now();
    // The burst is spent once the limiter first makes the run wait: the pace counts from then on.
    if (drainOrigin === undefined && snapshot.limiterWaitMs > 0) drainOrigin = { elapsedMs: time - started, itemsDone: snapshot.itemsDone };
    const waitStarts = (snapshot.limiterWaitingMs ?? 0) >= NOTABLE_WAIT_MS && !waitingShown;
    waitingShown = (snapshot.limiterWaitingMs ?? 0) > 0 && (waitingShown || waitStarts);
    if (options.json) {
      if (time - lastShown < JSON_INTERVAL_MS && !waitStarts) return;
      lastShown = time;
      const seconds = Math.max(0.001, (time - started) / 1000);
      stream.write(
        `${JSON.stringify({ type: 'progress', elapsedMs: time - started, rowsPerSecond: Math.round(snapshot.rows / seconds), etaMs: eta(snapshot, time), ...snapshot })}\n`,
      );
    } else if (interactive) {
      if (time - lastShown < INTERVAL_MS) return;
      lastShown = time;
      stream.write(`\r\x1b[2K${format(snapshot, time)}`);
      drawn = true;
    } else {
      if (textIntervalMs <= 0 || (time - lastShown < textIntervalMs && !waitStarts)) return;
      lastShown = time;
      stream.write(`${format(snapshot, time)}\n`);
    }
  };

  /** The last state with fresh counters; only the three counters are taken (a client's counters carry more). */
  const fresh = (snapshot: ProgressSnapshot): ProgressSnapshot => {
    const counters = options.refresh?.();
    if (counters === undefined) return snapshot;
    return {
      ...snapshot,
      ...(counters.requests === undefined ? {} : { requests: counters.requests }),
      ...(counters.limiterWaitMs === undefined ? {} : { limiterWaitMs: counters.limiterWaitMs }),
      ...(counters.limiterWaitingMs === undefined ? {} : { limiterWaitingMs: counters.limiterWaitingMs }),
    };
  };

  const timer = options.ticker === false ? undefined : setInterval(() => display.tick(), TICK_MS);
  timer?.unref();

  const display: ProgressDisplay = {
    update(snapshot) {
      last = snapshot;
      show(fresh(snapshot));
    },
    tick() {
      const snapshot = fresh(last ?? { rows: 0, itemsDone: 0, itemsFailed: 0, requests: 0, limiterWaitMs: 0 });
      const waiting = (snapshot.limiterWaitingMs ?? 0) > 0;
      // Before the first event, and in --json between events, only a limiter wait is worth showing.
      if ((last === undefined || options.json) && !waiting) return;
      show(snapshot);
    },
    message(text) {
      if (options.json) stream.write(`${JSON.stringify({ type: 'warning', elapsedMs: now() - started, message: text })}\n`);
      else {
        if (drawn) stream.write('\r\x1b[2K');
        stream.write(`${text}\n`);
        drawn = false;
      }
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
      closed = true;
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
  return display;
}
