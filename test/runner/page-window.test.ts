import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageWindow, settleOne } from '../../src/runner/page-window.ts';

function windowRecording(startPages = 0) {
  const saved: Array<{ cursorAfter: unknown; pagesDone: number; finished: boolean }> = [];
  const window = new PageWindow({ startPages, saveCursor: (cursorAfter, pagesDone, finished) => saved.push({ cursorAfter, pagesDone, finished }) });
  return { window, saved };
}

describe('PageWindow: a cursor is saved only when its page is settled', () => {
  it('saves nothing while the first page has an open item, even when later pages are settled', () => {
    const { window, saved } = windowRecording();
    const first = window.open(50, 2);
    const second = window.open(100, 1);
    settleOne(second);
    settleOne(first);
    window.saveSettled(false);
    assert.deepEqual(saved, []);
    assert.equal(window.openPages, 2);
    settleOne(first);
    window.saveSettled(false);
    assert.deepEqual(saved, [
      { cursorAfter: 50, pagesDone: 1, finished: false },
      { cursorAfter: 100, pagesDone: 2, finished: false },
    ]);
    assert.equal(window.openPages, 0);
  });

  it('counts pages on from an earlier attempt and numbers new pages after them', () => {
    const { window, saved } = windowRecording(3);
    const page = window.open('next', 1);
    assert.equal(page.index, 3);
    assert.equal(window.open('after', 1).index, 4);
    settleOne(page);
    window.saveSettled(false);
    assert.deepEqual(saved, [{ cursorAfter: 'next', pagesDone: 4, finished: false }]);
  });

  it('marks the cursor finished only for the last page of a finished source', () => {
    const { window, saved } = windowRecording();
    const first = window.open(1, 1);
    const last = window.open(2, 1);
    settleOne(first);
    settleOne(last);
    window.saveSettled(true);
    assert.deepEqual(
      saved.map((entry) => entry.finished),
      [false, true],
    );
  });

  it('an empty page is settled at once', () => {
    const { window, saved } = windowRecording();
    window.open(undefined, 0);
    window.saveSettled(true);
    assert.deepEqual(saved, [{ cursorAfter: undefined, pagesDone: 1, finished: true }]);
  });
});
