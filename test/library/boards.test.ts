import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import {
  executed,
  libraryChain,
  portalCall,
  runChain,
  startLibraryEmulator,
  validateChains,
  webhookCredentials,
  webhookWithout,
} from './helpers/library-harness.ts';

const kickoff = libraryChain('boards', 'sprint-kickoff.yml');
const backlogToSprint = libraryChain('boards', 'backlog-to-sprint.yml');
const completion = libraryChain('boards', 'sprint-completion.yml');

describe('chains/boards', () => {
  let emulator: EmulatorProcess;
  let groupId: number;
  let taskIds: number[];
  let sprintId: number;
  before(async () => {
    emulator = await startLibraryEmulator();
    groupId = (await portalCall(emulator, 'sonet_group.create', { NAME: 'Team Scrum', PROJECT: 'Y', SCRUM_MASTER_ID: 1 })) as number;
    taskIds = [];
    for (const title of ['Login page', 'Password reset']) {
      const added = (await portalCall(emulator, 'tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: 1, GROUP_ID: groupId } })) as {
        task: { id: string };
      };
      taskIds.push(Number(added.task.id));
      await portalCall(emulator, 'tasks.api.scrum.task.update', { id: added.task.id, fields: { storyPoints: '1' } });
    }
    await portalCall(emulator, 'tasks.api.scrum.epic.add', { fields: { groupId, name: 'Accounts' } });
  });
  after(() => emulator.stop());

  it('validates every chain, reporting its scopes and writes', async () => {
    const { code, reports } = await validateChains(kickoff, backlogToSprint, completion);
    assert.equal(code, 0);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.writes, report.destructive]),
      [
        [true, ['task'], ['tasks.api.scrum.sprint.add', 'tasks.api.scrum.sprint.start'], []],
        [true, ['task'], ['tasks.api.scrum.kanban.addTask', 'tasks.api.scrum.task.update'], []],
        [true, ['task'], ['tasks.api.scrum.sprint.complete'], []],
      ],
    );
  });

  it('sprint-kickoff: one sprint per name, started once, its stages listed', async () => {
    const webhook = webhookCredentials(emulator);
    const inputs = ['--input', `group_id=${groupId}`, '--input', 'name=Sprint 14'];
    assert.equal((await runChain(kickoff, webhook, ...inputs)).code, 2);
    const noScope = await runChain(kickoff, await webhookWithout(emulator, 'task'), '--confirm-write', ...inputs);
    assert.equal(noScope.code, 2);
    assert.match(noScope.stdout + noScope.stderr, /task/);
    assert.equal(await executed(emulator, 'tasks.api.scrum.sprint.add'), 0);

    const first = await runChain(kickoff, webhook, '--confirm-write', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    sprintId = Number(first.report?.outputs?.sprint_id);
    assert.deepEqual(Object.keys(first.report?.outputs?.stages as object), ['NEW', 'WORK', 'FINISH']);
    const second = await runChain(kickoff, webhook, '--confirm-write', ...inputs);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual(
      [second.report?.outputs?.created, second.report?.outputs?.started_now, Number(second.report?.outputs?.sprint_id)],
      [false, false, sprintId],
    );
    const sprints = (await portalCall(emulator, 'tasks.api.scrum.sprint.list', { filter: { GROUP_ID: groupId } })) as Array<{ id: number; status: string }>;
    assert.deepEqual(
      sprints.map((sprint) => [sprint.id, sprint.status]),
      [[sprintId, 'active']],
    );
  });

  it('backlog-to-sprint: moves backlog tasks into the sprint and onto its board, once', async () => {
    const webhook = webhookCredentials(emulator);
    const inputs = [
      '--input',
      `group_id=${groupId}`,
      '--input',
      `sprint_id=${sprintId}`,
      '--input',
      `task_ids=${JSON.stringify(taskIds)}`,
      '--input',
      'story_points=3',
    ];
    assert.equal((await runChain(backlogToSprint, webhook, ...inputs)).code, 2);
    const first = await runChain(backlogToSprint, webhook, '--confirm-write', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.report?.outputs?.failed, 0);
    const second = await runChain(backlogToSprint, webhook, '--confirm-write', ...inputs);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    for (const taskId of taskIds) {
      const item = (await portalCall(emulator, 'tasks.api.scrum.task.get', { id: taskId })) as { entityId: number; storyPoints: string };
      assert.deepEqual([item.entityId, item.storyPoints], [sprintId, '3']);
    }
    assert.deepEqual([await executed(emulator, 'tasks.api.scrum.kanban.addTask'), await executed(emulator, 'tasks.api.scrum.task.update')], [2, 2 + 2]);
  });

  it('sprint-completion: completes once, unfinished work back to the backlog, epics reported', async () => {
    const webhook = webhookCredentials(emulator);
    const stages = (await portalCall(emulator, 'tasks.api.scrum.kanban.getStages', { sprintId })) as Array<{ id: string; type: string }>;
    const done = stages.find((stage) => stage.type === 'FINISH');
    await portalCall(emulator, 'tasks.api.scrum.kanban.addTask', { sprintId, taskId: taskIds[0], stageId: done?.id });
    assert.equal((await runChain(completion, webhook, '--input', `sprint_id=${sprintId}`)).code, 2);

    const first = await runChain(completion, webhook, '--confirm-write', '--input', `sprint_id=${sprintId}`);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual([first.report?.outputs?.status, first.report?.outputs?.completed_now], ['completed', true]);
    assert.deepEqual(
      (first.report?.outputs?.epics as Array<{ name: string }>).map((epic) => epic.name),
      ['Accounts'],
    );
    const second = await runChain(completion, webhook, '--confirm-write', '--input', `sprint_id=${sprintId}`);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual([second.report?.outputs?.status, second.report?.outputs?.completed_now], ['completed', false]);
    assert.equal(await executed(emulator, 'tasks.api.scrum.sprint.complete'), 1);

    const backlog = (await portalCall(emulator, 'tasks.api.scrum.backlog.get', { id: groupId })) as { id: number };
    const entities = [];
    for (const taskId of taskIds) entities.push(((await portalCall(emulator, 'tasks.api.scrum.task.get', { id: taskId })) as { entityId: number }).entityId);
    assert.deepEqual(entities, [sprintId, backlog.id]);
  });
});
