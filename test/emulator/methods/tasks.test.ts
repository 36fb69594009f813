import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness, type Harness } from './method-harness.ts';

type Task = Record<string, unknown>;

function taskOf(result: { result: unknown }): Task {
  return (result.result as { task: Task }).task;
}

function tasksOf(result: { result: unknown }): Task[] {
  return (result.result as { tasks: Task[] }).tasks;
}

function addTask(harness: Harness, fields: Record<string, unknown>): Task {
  return taskOf(harness.call('tasks.task.add', { fields: { RESPONSIBLE_ID: 1, ...fields } }));
}

describe('tasks.task.*', () => {
  it('adds and answers {task} with camelCase keys and string numbers', () => {
    const harness = createHarness();
    const task = addTask(harness, { TITLE: 'Call the client', DEADLINE: '2026-03-05T10:00:00+00:00', UF_CRM_TASK: ['D_1'], AUDITORS: [1] });
    assert.equal(task.id, '1');
    assert.equal(task.title, 'Call the client');
    assert.equal(task.responsibleId, '1');
    assert.equal(task.createdBy, '1');
    assert.equal(task.status, '2');
    assert.equal(task.deadline, '2026-03-05T10:00:00+00:00');
    assert.deepEqual(task.ufCrmTask, ['D_1']);
    assert.deepEqual(task.auditors, ['1']);
    assert.equal((task.responsible as Task).id, '1');
  });

  it('gets with select, and answers [] for a task that does not exist', () => {
    const harness = createHarness();
    addTask(harness, { TITLE: 'T' });
    const task = taskOf(harness.call('tasks.task.get', { taskId: 1, select: ['TITLE'] }));
    assert.equal(task.id, '1');
    assert.equal(task.title, 'T');
    assert.ok(!('deadline' in task));
    assert.deepEqual(harness.call('tasks.task.get', { taskId: 99 }).result, []);
  });

  it('lists {tasks} by ID descending by default, filters UPPER_CASE keys, pages with total/next', () => {
    const harness = createHarness();
    for (let index = 1; index <= 55; index += 1) addTask(harness, { TITLE: `T${index}`, PRIORITY: index % 2 === 0 ? 2 : 1 });
    const first = harness.call('tasks.task.list', { select: ['ID', 'TITLE'] });
    assert.equal(tasksOf(first).length, 50);
    assert.equal(tasksOf(first)[0]?.id, '55');
    assert.equal(first.total, 55);
    assert.equal(first.next, 50);
    const filtered = harness.call('tasks.task.list', { filter: { PRIORITY: 2, '>ID': 50 }, order: { ID: 'asc' }, select: ['ID'] });
    assert.deepEqual(
      tasksOf(filtered).map((task) => task.id),
      ['52', '54'],
    );
    const byStatus = harness.call('tasks.task.list', { filter: { REAL_STATUS: 2 }, select: ['ID'] });
    assert.equal(byStatus.total, 55);
  });

  it('updates, completes (status 5, closedDate) and deletes ({task: true})', () => {
    const harness = createHarness();
    addTask(harness, { TITLE: 'T' });
    assert.equal(taskOf(harness.call('tasks.task.update', { taskId: 1, fields: { TITLE: 'T2' } })).title, 'T2');
    harness.advance(1000);
    const completed = taskOf(harness.call('tasks.task.complete', { taskId: 1 }));
    assert.equal(completed.status, '5');
    assert.equal(completed.closedBy, '1');
    assert.notEqual(completed.closedDate, null);
    assert.deepEqual(harness.call('tasks.task.delete', { taskId: 1 }).result, { task: true });
    assert.deepEqual(harness.call('tasks.task.get', { taskId: 1 }).result, []);
  });

  const errors: Array<[string, string, Record<string, unknown>, string, string]> = [
    ['missing fields', 'tasks.task.add', {}, '100', 'Could not find value for parameter {fields} (internal error)'],
    ['missing title', 'tasks.task.add', { fields: { RESPONSIBLE_ID: 1 } }, 'ERROR_CORE', 'Task title not specified<br>'],
    ['missing assignee', 'tasks.task.add', { fields: { TITLE: 'x' } }, 'ERROR_CORE', 'Assignee not specified<br>'],
    [
      'unknown assignee',
      'tasks.task.add',
      { fields: { TITLE: 'x', RESPONSIBLE_ID: 77 } },
      'ERROR_CORE',
      'User specified in the "Assignee" field not found<br>',
    ],
    ['a bad sort key', 'tasks.task.list', { order: { NOPE: 'asc' } }, '0', 'Invalid sorting key (internal error)'],
    ['update of an unknown task', 'tasks.task.update', { taskId: 5, fields: { TITLE: 'x' } }, '0', 'Action on the task is not allowed (internal error)'],
    ['a missing taskId', 'tasks.task.complete', {}, '100', 'CTaskItem All parameters in the constructor must have real class type (internal error)'],
    ['a non-numeric taskId', 'tasks.task.get', { taskId: 'abc' }, '0', 'wrong task id'],
  ];
  for (const [name, method, params, code, description] of errors) {
    it(`refuses ${name} (${code})`, () => {
      const error = createHarness().fail(method, params);
      assert.equal(error.code, code);
      assert.equal(error.description, description);
      assert.equal(error.status, 400);
    });
  }
});
