import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgressDisplay, estimateRemainingMs } from '../../src/cli/progress-display.ts';

describe('progress display', () => {
  it('estimates the time left from the pace so far, and says nothing without a count', () => {
    assert.equal(estimateRemainingMs({ rows: 500, itemsDone: 250, expectedRows: 1000 }, 10_000), 30_000);
    assert.equal(estimateRemainingMs({ rows: 500, itemsDone: 250 }, 10_000), null);
    assert.equal(estimateRemainingMs({ rows: 0, itemsDone: 0, expectedRows: 1000 }, 10_000), null);
  });

  it('writes JSON progress lines at most ten times a second, with the ETA', () => {
    let now = 1_000;
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const display = createProgressDisplay({ json: true, stream: stream as unknown as NodeJS.WriteStream, now: () => now });
    const snapshot = { stepId: 'convert', rows: 100, itemsDone: 50, itemsFailed: 0, requests: 3, limiterWaitMs: 0, expectedRows: 200 };
    now += 1_000;
    display.update(snapshot);
    now += 50;
    display.update(snapshot); // too soon: dropped
    now += 100;
    display.update({ ...snapshot, itemsDone: 100 });
    const lines = written.trim().split('\n').map((line) => JSON.parse(line) as { type: string; etaMs: number; itemsDone: number });
    assert.deepEqual(lines.map((line) => [line.type, line.itemsDone, line.etaMs]), [
      ['progress', 50, 3_000],
      ['progress', 100, 1_150],
    ]);
  });
});
