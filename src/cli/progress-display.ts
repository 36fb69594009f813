/**
 * What a long command shows while it works: on a terminal, one line redrawn in place (rows read, items
 * done, requests, limiter waits, rate); with `--json`, progress events as JSON lines on stderr
 * (schemas/progress-event.schema.json), at most a few per second.
 */
export interface ProgressSnapshot {
  runId?: string;
  stepId?: string;
  rows: number;
  itemsDone: number;
  itemsFailed: number;
  requests: number;
  limiterWaitMs: number;
  /** Rows the list will yield in all, when the portal counted them. */
  expectedRows?: number;
}

/** Time left at the current pace, from rows read against the rows expected (null when unknown). */
export function estimateRemainingMs(snapshot: Pick<ProgressSnapshot, 'rows' | 'itemsDone' | 'expectedRows'>, elapsedMs: number): number | null {
  if (snapshot.expectedRows === undefined || snapshot.itemsDone === 0 || elapsedMs <= 0) return null;
  const remaining = Math.max(0, snapshot.expectedRows - snapshot.itemsDone);
  return Math.round((remaining * elapsedMs) / snapshot.itemsDone);
}

export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  message(text: string): void;
  close(): void;
}

/** Terminal redraws at most 4 times a second; JSON lines at most 10 times a second. */
const INTERVAL_MS = 250;
const JSON_INTERVAL_MS = 100;

export function createProgressDisplay(options: { json: boolean; stream?: NodeJS.WriteStream; now?: () => number }): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  let lastShown = 0;
  let drawn = false;
  const interactive = !options.json && stream.isTTY === true;

  const format = (snapshot: ProgressSnapshot): string => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = Math.round(snapshot.itemsDone / seconds);
    const eta = estimateRemainingMs(snapshot, now() - started);
    const etaText = eta === null ? '' : `, ETA ${Math.ceil(eta / 1000)} s`;
    return `${snapshot.stepId ?? ''}: ${snapshot.rows}${snapshot.expectedRows === undefined ? '' : `/${snapshot.expectedRows}`} rows read, ${snapshot.itemsDone} items done${snapshot.itemsFailed ? `, ${snapshot.itemsFailed} failed` : ''}, ${snapshot.requests} requests, limiter waited ${(snapshot.limiterWaitMs / 1000).toFixed(1)} s, ${rate} items/s, ${seconds.toFixed(0)} s${etaText}`;
  };

  return {
    update(snapshot) {
      const time = now();
      if (time - lastShown < (options.json ? JSON_INTERVAL_MS : INTERVAL_MS)) return;
      lastShown = time;
      if (options.json) {
        const seconds = Math.max(0.001, (time - started) / 1000);
        stream.write(`${JSON.stringify({ type: 'progress', elapsedMs: time - started, rowsPerSecond: Math.round(snapshot.rows / seconds), etaMs: estimateRemainingMs(snapshot, time - started), ...snapshot })}\n`);
      } else if (interactive) {
        stream.write(`\r\x1b[2K${format(snapshot)}`);
        drawn = true;
      }
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
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
