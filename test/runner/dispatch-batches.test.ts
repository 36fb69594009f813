import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchDispatcher } from '../../src/runner/dispatch-batches.ts';

/** A task the test finishes by hand. */
function controlledTask(log: string[], name: string) {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    run: async (): Promise<void> => {
      log.push(`start ${name}`);
      await finished;
      log.push(`end ${name}`);
    },
    finish: () => finish(),
  };
}

describe('BatchDispatcher', () => {
  it('hands back at once while a slot is free, and waits for a batch to finish when all slots are taken', async () => {
    const log: string[] = [];
    const dispatcher = new BatchDispatcher(2);
    const a = controlledTask(log, 'a');
    const b = controlledTask(log, 'b');
    await dispatcher.dispatch(a.run);
    assert.equal(dispatcher.inFlight, 1);
    let handedBack = false;
    const second = dispatcher.dispatch(b.run).then(() => {
      handedBack = true;
    });
    await Promise.resolve();
    assert.equal(handedBack, false);
    assert.equal(dispatcher.inFlight, 2);
    b.finish();
    await second;
    assert.deepEqual(log, ['start a', 'start b', 'end b']);
    assert.equal(dispatcher.inFlight, 1);
    a.finish();
    await dispatcher.idle();
    assert.equal(dispatcher.inFlight, 0);
  });

  it('never runs more than its concurrency at once', async () => {
    const dispatcher = new BatchDispatcher(3);
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 10 }, () => controlledTask([], 'x'));
    const producer = (async () => {
      for (const task of tasks) {
        await dispatcher.dispatch(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await task.run();
          running -= 1;
        });
      }
    })();
    for (const task of tasks) {
      await Promise.resolve();
      task.finish();
      await dispatcher.oneFinished();
    }
    await producer;
    await dispatcher.idle();
    assert.equal(peak, 3);
  });

  it("oneFinished resolves after the finished task's own work, so its results are seen", async () => {
    const dispatcher = new BatchDispatcher(1);
    const seen: string[] = [];
    const task = controlledTask([], 'a');
    const handed = dispatcher.dispatch(async () => {
      await task.run();
      seen.push('settled');
    });
    task.finish();
    await handed;
    assert.deepEqual(seen, ['settled']);
  });
});
