/**
 * chains/core/task-handoff.yml (issue 13, REST 3.0) through the real CLI against an emulator process:
 * the same chain on v3 and on v2 task methods with the same effect on the portal; a v3 write whose
 * connection dropped after the portal executed it is re-sent and replayed (one task); `chain call`
 * sends v3 methods, and a reused key with another body is reported as IDEMPOTENCY_KEY_REUSED.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { fetchStats } from '../helpers/emulator-process.ts';
import { runCli, webhookEnv } from '../helpers/run-cli.ts';
import { chainFile, useLibraryHarness } from './helpers/use-library-harness.ts';

interface V2Task {
  id: string;
  title: string;
  responsibleId: string;
  createdBy: string;
  deadline: string | null;
  status: string;
}
interface V3Stats {
  requests: number;
  methods: Record<string, number>;
  replays: number;
}

describe('chains/core/task-handoff.yml on REST 3.0 and v2', () => {
  const harness = useLibraryHarness();
  const file = 'core/task-handoff.yml';
  const deadline = '2026-12-31T18:00:00+00:00';

  async function v3Stats(): Promise<V3Stats> {
    return (await fetchStats(harness.emulator.url)).v3 as V3Stats;
  }
  async function tasksTitled(title: string): Promise<V2Task[]> {
    const result = (await harness.read('tasks.task.list', {
      filter: { TITLE: title },
      select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'CREATED_BY', 'DEADLINE', 'STATUS'],
    })) as { tasks: V2Task[] };
    return result.tasks;
  }
  const inputs = (title: string, api: number): string[] => [
    '--confirm-write',
    '--input',
    `title=${title}`,
    '--input',
    `deadline=${deadline}`,
    '--input',
    'responsible_id=1',
    '--input',
    `api=${api}`,
  ];

  it('has the same effect on the portal on v3 task methods as on v2', async () => {
    const beforeV3 = await v3Stats();
    const onV3 = await harness.run(file, inputs('Hand-off v3', 3));
    assert.equal(onV3.cli.code, 0, onV3.cli.stdout + onV3.cli.stderr);
    const afterV3 = await v3Stats();
    assert.equal((afterV3.methods['tasks.task.add'] ?? 0) - (beforeV3.methods['tasks.task.add'] ?? 0), 1, 'the add went to /rest/api/');
    assert.equal((afterV3.methods['tasks.task.update'] ?? 0) - (beforeV3.methods['tasks.task.update'] ?? 0), 1);

    const beforeV2 = await harness.methodCounts();
    const onV2 = await harness.run(file, inputs('Hand-off v2', 2));
    assert.equal(onV2.cli.code, 0, onV2.cli.stdout + onV2.cli.stderr);
    assert.equal((await harness.methodCounts())['tasks.task.add'], (beforeV2['tasks.task.add'] ?? 0) + 1, 'one add');
    assert.equal((await v3Stats()).requests, afterV3.requests, 'nothing on v3 for api=2: the add went to /rest/');

    const [v3Task] = await tasksTitled('Hand-off v3');
    const [v2Task] = await tasksTitled('Hand-off v2');
    assert.ok(v3Task && v2Task);
    const effect = (task: V2Task): unknown[] => [task.responsibleId, task.createdBy, task.deadline, task.status];
    assert.deepEqual(effect(v3Task), effect(v2Task));
    assert.equal(v3Task.deadline, '2026-12-31T18:00:00+00:00');
    assert.equal(onV3.report?.outputs.task_id, Number(v3Task.id));
    assert.equal(onV2.report?.outputs.task_id, Number(v2Task.id));
  });

  it('re-sends a v3 add whose connection dropped after execution: the portal replays, one task, the replay in the output', async () => {
    const faults = await fetch(`${harness.emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ method: 'tasks.task.add', rate: 1, drop: 'after', times: 1 }] }),
    });
    assert.equal(faults.status, 200);
    const before = await v3Stats();
    const run = await harness.run(file, inputs('Dropped once', 3));
    assert.equal(run.cli.code, 0, run.cli.stdout + run.cli.stderr);
    assert.equal((await tasksTitled('Dropped once')).length, 1, 'exactly one task');
    assert.equal((await v3Stats()).replays - before.replays, 1, 'the emulator answered the re-send from its idempotency store');
    assert.equal(run.report?.outputs.replayed, true);
  });

  it('chain call sends a v3 method to /rest/api/ and reports a reused key with another body (422)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'b24chain-v3-call-'));
    const before = await v3Stats();
    const listed = await runCli(
      ['call', 'tasks.task.list', '--params', JSON.stringify({ select: ['id', 'title'], filter: [['id', '>', 0]] }), '--json'],
      webhookEnv(harness.emulator, join(directory, 'a.db')),
    );
    assert.equal(listed.code, 0, listed.stdout + listed.stderr);
    assert.ok(Array.isArray((JSON.parse(listed.stdout) as { result: { items: unknown[] } }).result.items));
    assert.equal((await v3Stats()).methods['tasks.task.list'], (before.methods['tasks.task.list'] ?? 0) + 1);

    const add = (title: string, database: string) =>
      runCli(
        [
          'call',
          'tasks.task.add',
          '--params',
          JSON.stringify({ fields: { title, creatorId: 1, responsibleId: 1 } }),
          '--idempotency-key',
          'handoff-42',
          '--confirm-write',
        ],
        webhookEnv(harness.emulator, join(directory, database)),
      );
    const first = await add('Keyed once', 'b.db');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    // Another machine (another state database) reuses the key with another body: the portal refuses it.
    const reused = await add('Keyed twice', 'c.db');
    assert.notEqual(reused.code, 0);
    assert.match(
      reused.stderr + reused.stdout,
      /tasks\.task\.add: the idempotency key handoff-42 was already used with a different body.*\(IDEMPOTENCY_KEY_REUSED\)/,
    );
    assert.equal((await tasksTitled('Keyed twice')).length, 0);
  });

  it('B24_V3_REGISTRY=refresh learns the v3 methods from rest.scope.list once and caches them in the state database', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'b24chain-v3-registry-'));
    const database = join(directory, 'state.db');
    const env = { ...webhookEnv(harness.emulator, database), B24_V3_REGISTRY: 'refresh' };
    const before = (await v3Stats()).methods['rest.scope.list'] ?? 0;
    const args = ['run', chainFile(file), '--json', ...inputs('Registry one', 3)];
    const first = await runCli(args, env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const second = await runCli(['run', chainFile(file), '--json', ...inputs('Registry two', 3)], env);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal((await v3Stats()).methods['rest.scope.list'], before + 1, 'asked once, then read from the cache');
    const db = new Database(database, { readonly: true });
    const rows = db.prepare("SELECT method, source FROM v3_method_registry WHERE method = 'tasks.task.add'").all();
    db.close();
    assert.deepEqual(rows, [{ method: 'tasks.task.add', source: 'rest.scope.list' }]);
  });
});
