/**
 * A for_each on REST 3.0 (issue 13) through the real CLI against an emulator process: the same recipe
 * (test/fixtures/chains/valid/task-follow-ups.yml) on v3 and on v2 has the same effect on the portal;
 * the v3 run sends v3 array batches (the update reads the add's id by `$ref`), the v2 run none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchStats } from '../helpers/emulator-process.ts';
import { useLibraryHarness } from '../library/helpers/use-library-harness.ts';

interface Task {
  id: string;
  title: string;
  responsibleId: string;
  createdBy: string;
  deadline: string | null;
}
interface V3Stats {
  requests: number;
  methods: Record<string, number>;
  replays: number;
}

describe('a for_each over tasks on REST 3.0 and v2', () => {
  const harness = useLibraryHarness();
  const file = '../test/fixtures/chains/valid/task-follow-ups.yml';
  const deadline = '2026-12-31T18:00:00+00:00';

  const v3Stats = async (): Promise<V3Stats> => (await fetchStats(harness.emulator.url)).v3 as V3Stats;
  async function tasksTitled(title: string): Promise<Task[]> {
    const result = (await harness.read('tasks.task.list', {
      filter: { TITLE: title },
      select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'CREATED_BY', 'DEADLINE'],
    })) as { tasks: Task[] };
    return result.tasks;
  }
  async function addSources(title: string, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      await harness.read('tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: 1 + (index % 2), CREATED_BY: 1 } });
    }
  }
  const inputs = (title: string, api: number): string[] => [
    '--confirm-write',
    '--input',
    `title=${title}`,
    '--input',
    `deadline=${deadline}`,
    '--input',
    `api=${api}`,
  ];
  const effect = (tasks: Task[]): unknown[] => tasks.map((task) => [task.responsibleId, task.createdBy, task.deadline]).sort();

  it('adds the same follow-ups on v3 array batches as on v2 cmd batches', async () => {
    await addSources('Source v3', 3);
    await addSources('Source v2', 3);

    const before = await v3Stats();
    const onV3 = await harness.run(file, inputs('Source v3', 3));
    assert.equal(onV3.cli.code, 0, onV3.cli.stdout + onV3.cli.stderr);
    const afterV3 = await v3Stats();
    // Round 1: get + add of every item (the add reads the get by $ref); round 2: the updates (a v3
    // batch can reference only get/list results, so the update waits for the add's id).
    assert.equal((afterV3.methods.batch ?? 0) - (before.methods.batch ?? 0), 2, 'the for_each went as two v3 batches');
    assert.equal(onV3.report?.outputs.followed_v3, 3);

    const onV2 = await harness.run(file, inputs('Source v2', 2));
    assert.equal(onV2.cli.code, 0, onV2.cli.stdout + onV2.cli.stderr);
    assert.equal((await v3Stats()).requests, afterV3.requests, 'nothing on v3 for api=2');
    assert.equal(onV2.report?.outputs.followed_v2, 3);

    const v3Tasks = await tasksTitled('Follow-up: Source v3');
    const v2Tasks = await tasksTitled('Follow-up: Source v2');
    assert.equal(v3Tasks.length, 3);
    assert.deepEqual(effect(v3Tasks), effect(v2Tasks));
    assert.ok(
      v3Tasks.every((task) => task.deadline === deadline),
      'every follow-up got its deadline',
    );
  });

  it('re-sends a v3 batch whose connection dropped after the portal ran it: same Idempotency-Key, replayed, one follow-up each', async () => {
    await addSources('Source dropped', 2);
    const faults = await fetch(`${harness.emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ method: 'batch', rate: 1, drop: 'after', times: 1 }] }),
    });
    assert.equal(faults.status, 200);
    const before = await v3Stats();
    const run = await harness.run(file, inputs('Source dropped', 3));
    assert.equal(run.cli.code, 0, run.cli.stdout + run.cli.stderr);
    assert.equal((await v3Stats()).replays - before.replays, 1, 'the emulator answered the re-send from its idempotency store');
    const followUps = await tasksTitled('Follow-up: Source dropped');
    assert.equal(followUps.length, 2, 'exactly one follow-up per task');
    assert.ok(followUps.every((task) => task.deadline === deadline));
  });
});

describe('a batch step on REST 3.0 and v2', () => {
  const harness = useLibraryHarness();
  const file = '../test/fixtures/chains/valid/task-copy-batch.yml';

  async function tasksTitled(title: string): Promise<Task[]> {
    const result = (await harness.read('tasks.task.list', {
      filter: { TITLE: title },
      select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'CREATED_BY', 'DEADLINE'],
    })) as { tasks: Task[] };
    return result.tasks;
  }
  async function addSource(title: string): Promise<string> {
    const added = (await harness.read('tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: 2, CREATED_BY: 1 } })) as { task: { id: string } };
    return String(added.task.id);
  }

  it('copies a task in one v3 array batch ($ref to the get), as the v2 cmd batch does', async () => {
    const v3Source = await addSource('Batch source v3');
    const v2Source = await addSource('Batch source v2');
    const before = (await fetchStats(harness.emulator.url)).v3 as V3Stats;
    const onV3 = await harness.run(file, ['--confirm-write', '--input', `task_id=${v3Source}`, '--input', 'api=3']);
    assert.equal(onV3.cli.code, 0, onV3.cli.stdout + onV3.cli.stderr);
    const after = (await fetchStats(harness.emulator.url)).v3 as V3Stats;
    assert.equal((after.methods.batch ?? 0) - (before.methods.batch ?? 0), 1, 'the batch step went as one v3 batch');
    assert.equal((after.methods['tasks.task.add'] ?? 0) - (before.methods['tasks.task.add'] ?? 0), 1);

    const onV2 = await harness.run(file, ['--confirm-write', '--input', `task_id=${v2Source}`, '--input', 'api=2']);
    assert.equal(onV2.cli.code, 0, onV2.cli.stdout + onV2.cli.stderr);
    assert.equal(((await fetchStats(harness.emulator.url)).v3 as V3Stats).requests, after.requests, 'nothing on v3 for api=2');

    const effect = (tasks: Task[]): unknown[] => tasks.map((task) => [task.responsibleId, task.createdBy]).sort();
    const v3Copies = await tasksTitled('Batch source v3');
    const v2Copies = await tasksTitled('Batch source v2');
    assert.equal(v3Copies.length, 2, 'the source and its copy');
    assert.deepEqual(effect(v3Copies), effect(v2Copies));
  });
});
