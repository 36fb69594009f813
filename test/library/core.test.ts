/** chains/core/deal-task-assignment.yml through the real CLI against an emulator process (demo seed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDelta, useLibraryHarness } from './helpers/use-library-harness.ts';

interface Task {
  id: string;
  title: string;
  responsibleId: string;
  ufCrmTask: string[];
}
interface Deal {
  ID: string;
  UF_CRM_TASK_ID?: string | null;
}

describe('chains/core/deal-task-assignment.yml', () => {
  const harness = useLibraryHarness();
  const file = 'core/deal-task-assignment.yml';

  async function dealsInStage(): Promise<Deal[]> {
    return (await harness.read('crm.deal.list', { filter: { STAGE_ID: 'PREPARATION' }, select: ['ID', 'UF_CRM_TASK_ID'] })) as Deal[];
  }
  async function linkedTasks(dealId: string): Promise<Task[]> {
    const result = (await harness.read('tasks.task.list', {
      filter: { UF_CRM_TASK: `D_${dealId}` },
      select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'UF_CRM_TASK'],
    })) as { tasks: Task[] };
    return result.tasks;
  }

  it('validates clean and needs the crm and task scopes', async () => {
    const { cli, files } = await harness.validate([file]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      files.map((entry) => [entry.valid, entry.scopes, entry.destructive.length]),
      [[true, ['crm', 'task'], 0]],
    );
  });

  it('refuses to write without --confirm-write (exit 2, no write sent)', async () => {
    const before = await harness.methodCounts();
    const { cli } = await harness.run(file);
    assert.equal(cli.code, 2, cli.stdout + cli.stderr);
    assert.match(cli.stdout + cli.stderr, /confirm-write/);
    const sent = methodDelta(before, await harness.methodCounts());
    assert.equal(sent['tasks.task.add'] ?? 0, 0);
    assert.equal(sent['crm.deal.update'] ?? 0, 0);
  });

  it('refuses a webhook without the task scope before any write, naming it', async () => {
    const before = await harness.methodCounts();
    const { cli } = await harness.run(file, ['--confirm-write'], await harness.limitedWebhookEnv(['crm']));
    assert.equal(cli.code, 2, cli.stdout + cli.stderr);
    assert.match(cli.stdout + cli.stderr, /INSUFFICIENT_SCOPE/);
    assert.match(cli.stdout + cli.stderr, /\btask\b/);
    const sent = methodDelta(before, await harness.methodCounts());
    assert.equal(sent['tasks.task.add'] ?? 0, 0);
    assert.equal(sent['crm.deal.update'] ?? 0, 0);
  });

  it('gives each deal of the stage one linked task, keeps its id on the deal, and adds nothing on a second run', async () => {
    const deals = await dealsInStage();
    assert.ok(deals.length > 0, 'the demo seed has deals in PREPARATION');

    const first = await harness.run(file, ['--confirm-write']);
    assert.equal(first.cli.code, 0, first.cli.stdout + first.cli.stderr);
    assert.equal(first.report?.outputs.assigned, deals.length);
    for (const deal of await dealsInStage()) {
      const tasks = await linkedTasks(deal.ID);
      assert.equal(tasks.length, 1, `deal ${deal.ID} has one task`);
      assert.equal(String(deal.UF_CRM_TASK_ID), String(tasks[0]?.id), `deal ${deal.ID} keeps its task id`);
    }

    const before = await harness.methodCounts();
    const second = await harness.run(file, ['--confirm-write']);
    assert.equal(second.cli.code, 0, second.cli.stdout + second.cli.stderr);
    const sent = methodDelta(before, await harness.methodCounts());
    assert.equal(sent['tasks.task.add'] ?? 0, 0, 'no second task');
    assert.equal(sent['crm.deal.update'] ?? 0, 0, 'no deal is updated again');
    for (const deal of deals) assert.equal((await linkedTasks(deal.ID)).length, 1);
  });
});
