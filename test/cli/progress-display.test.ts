import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgressDisplay, estimateRemainingMs, type ProgressDisplayOptions } from '../../src/cli/progress-display.ts';

function capture(options: Omit<ProgressDisplayOptions, 'stream'>): { lines: () => string[]; display: ReturnType<typeof createProgressDisplay> } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const display = createProgressDisplay({ ticker: false, ...options, stream: stream as unknown as NodeJS.WriteStream });
  return { display, lines: () => written.split('\n').filter((line) => line !== '') };
}

const base = { stepId: 'convert', rows: 100, itemsDone: 50, itemsFailed: 0, requests: 3, limiterWaitMs: 0, expectedRows: 200 };

describe('progress display', () => {
  it('estimates the time left from the pace so far, and says nothing without a count', () => {
    assert.equal(estimateRemainingMs({ rows: 500, itemsDone: 250, expectedRows: 1000 }, 10_000), 30_000);
    assert.equal(estimateRemainingMs({ rows: 500, itemsDone: 250 }, 10_000), null);
    assert.equal(estimateRemainingMs({ rows: 0, itemsDone: 0, expectedRows: 1000 }, 10_000), null);
  });

  it('writes JSON progress lines at most ten times a second, with the ETA', () => {
    let now = 1_000;
    const { display, lines } = capture({ json: true, now: () => now });
    now += 1_000;
    display.update(base);
    now += 50;
    display.update(base); // too soon: dropped
    now += 100;
    display.update({ ...base, itemsDone: 100 });
    const events = lines().map((line) => JSON.parse(line) as { type: string; etaMs: number; itemsDone: number });
    assert.deepEqual(
      events.map((event) => [event.type, event.itemsDone, event.etaMs]),
      [
        ['progress', 50, 3_000],
        ['progress', 100, 1_150],
      ],
    );
  });

  it('without a terminal, prints a plain progress line every 10 s (not on every update), and one at once when a limiter wait starts', () => {
    let now = 0;
    let waiting = 0;
    const { display, lines } = capture({ json: false, now: () => now, refresh: () => ({ limiterWaitingMs: waiting }) });
    display.update(base); // first: shown
    for (let second = 1; second < 10; second += 1) {
      now = second * 1_000;
      display.update({ ...base, itemsDone: 50 + second });
    }
    assert.equal(lines().length, 1);
    now = 10_000;
    display.update({ ...base, itemsDone: 60 });
    assert.equal(lines().length, 2);
    assert.match(lines()[1] ?? '', /^convert: 100\/200 rows read, 60 items done, 3 requests, limiter waited 0\.0 s, 6 items\/s, 10 s/);
    now = 11_000;
    waiting = 15_000;
    display.tick(); // no runner event during a pause: the ticker shows the wait at once
    assert.equal(lines().length, 3);
    assert.match(lines()[2] ?? '', /waiting for the limiter \(15 s left\)$/);
    now = 12_000;
    waiting = 14_000;
    display.tick(); // the same wait: no second line before the interval
    assert.equal(lines().length, 3);
    display.close();
  });

  it('before any event, the ticker shows nothing unless the run waits on the limiter', () => {
    let now = 0;
    let waiting = 0;
    const { display, lines } = capture({ json: false, now: () => now, refresh: () => ({ requests: 2, limiterWaitingMs: waiting }) });
    display.tick();
    assert.deepEqual(lines(), []);
    now = 1_000;
    waiting = 20_000;
    display.tick();
    assert.match(lines()[0] ?? '', /^run: 0 rows read, 0 items done, 2 requests, .*waiting for the limiter \(20 s left\)$/);
  });

  it('uses the drain rate for the ETA once the burst is spent, not the burst speed', () => {
    let now = 0;
    const { display, lines } = capture({ json: true, now: () => now });
    const snapshot = { stepId: 'convert', rows: 1000, itemsFailed: 0, requests: 0, expectedRows: 1000 };
    now = 1_000;
    display.update({ ...snapshot, itemsDone: 500, limiterWaitMs: 0 }); // the burst: 500 items in 1 s
    now = 1_200;
    display.update({ ...snapshot, itemsDone: 500, limiterWaitMs: 200 }); // the limiter starts making us wait
    now = 11_200;
    display.update({ ...snapshot, itemsDone: 600, limiterWaitMs: 9_000 }); // 100 items in 10 s: 10 items/s
    const etas = lines().map((line) => (JSON.parse(line) as { etaMs: number | null }).etaMs);
    assert.equal(etas[0], 1_000); // burst pace while nothing waited yet
    assert.equal(etas[2], 40_000); // 400 items left at 10 items/s (the burst pace would say about 7 s)
  });
});
