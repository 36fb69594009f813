import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import {
  applicationCall,
  applicationCredentials,
  executed,
  libraryChain,
  portalCall,
  runChain,
  runChainCommand,
  startLibraryEmulator,
  validateChains,
  webhookCredentials,
  webhookWithout,
} from './helpers/library-harness.ts';

const workflowOnEvent = libraryChain('automation', 'workflow-on-deal-event.yml');
const workflowStart = libraryChain('automation', 'handlers/deal-workflow-start.yml');
const robotRollout = libraryChain('automation', 'robot-rollout.yml');
const stopWorkflows = libraryChain('automation', 'stop-workflows.yml');

interface Instance {
  ID: string;
  DOCUMENT_ID: string;
  TEMPLATE_ID: string;
}

async function running(emulator: EmulatorProcess): Promise<Instance[]> {
  return (await portalCall(emulator, 'bizproc.workflow.instances', { SELECT: ['ID', 'DOCUMENT_ID', 'TEMPLATE_ID'] })) as Instance[];
}

describe('chains/automation', () => {
  let emulator: EmulatorProcess;
  before(async () => {
    emulator = await startLibraryEmulator();
  });
  after(() => emulator.stop());

  it('validates every chain and handler, reporting its scopes, writes and destructive steps', async () => {
    const { code, reports } = await validateChains(workflowOnEvent, workflowStart, robotRollout, stopWorkflows);
    assert.equal(code, 0);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.writes, report.destructive]),
      [
        [true, ['basic'], ['event.bind'], []],
        [true, ['bizproc'], ['bizproc.workflow.start'], []],
        [true, ['bizproc'], ['bizproc.robot.add', 'bizproc.robot.update'], []],
        [true, ['bizproc'], [], ['bizproc.workflow.terminate', 'bizproc.workflow.kill']],
      ],
    );
  });

  it('workflow-on-deal-event: binds once; the worker starts one workflow per deal and tracks its task', async () => {
    const app = applicationCredentials(emulator);
    const refused = await runChain(workflowOnEvent, app);
    assert.equal(refused.code, 2);
    for (const attempt of [1, 2]) {
      const run = await runChain(workflowOnEvent, app, '--confirm-write');
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.report?.outputs?.bound_now, attempt === 1);
    }
    assert.deepEqual(await applicationCall(emulator, 'event.get'), [{ event: 'ONCRMDEALUPDATE', connector_id: 'workflows', offline: 1 }]);

    const dealId = (await portalCall(emulator, 'crm.deal.add', { fields: { TITLE: 'Needs approval' } })) as number;
    await portalCall(emulator, 'crm.deal.update', { id: dealId, fields: { STAGE_ID: 'PREPARATION' } });
    const worker = await runChainCommand(
      ['worker', '--handler', workflowStart, '--auth-connector', 'workflows', '--once', '--confirm-write', '--poll-interval', '10ms'],
      app,
    );
    assert.equal(worker.code, 0, worker.stdout + worker.stderr);
    assert.deepEqual(
      (await running(emulator)).map((row) => [row.DOCUMENT_ID, row.TEMPLATE_ID]),
      [[`DEAL_${dealId}`, '1']],
    );

    // Redelivered: the running workflow is found, nothing is started twice.
    const row = {
      ID: 77,
      EVENT_NAME: 'ONCRMDEALUPDATE',
      EVENT_DATA: { FIELDS: { ID: dealId } },
      MESSAGE_ID: 'z'.repeat(32),
      TIMESTAMP_X: '2026-11-27T10:00:00+00:00',
    };
    const again = await runChain(workflowStart, app, '--confirm-write', '--input', `events=${JSON.stringify([row])}`);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal((await running(emulator)).length, 1);
    assert.equal(await executed(emulator, 'bizproc.workflow.start'), 1);
    const tasks = (await portalCall(emulator, 'bizproc.task.list', { SELECT: ['ID', 'WORKFLOW_ID', 'STATUS'] })) as Array<{
      WORKFLOW_ID: string;
      STATUS: string;
    }>;
    assert.deepEqual(
      tasks.map((task) => [task.WORKFLOW_ID, task.STATUS]),
      [[(await running(emulator))[0]?.ID, '0']],
    );
  });

  it('robot-rollout: adds the robot once, then updates it; a webhook without bizproc is refused before any write', async () => {
    const app = applicationCredentials(emulator);
    const refused = await runChain(robotRollout, app);
    assert.equal(refused.code, 2);
    const noScope = await runChain(robotRollout, await webhookWithout(emulator, 'bizproc'), '--confirm-write');
    assert.equal(noScope.code, 2);
    assert.match(noScope.stdout + noScope.stderr, /bizproc/);
    assert.equal(await executed(emulator, 'bizproc.robot.add'), 0);

    const first = await runChain(robotRollout, app, '--confirm-write');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual([first.report?.outputs?.added, first.report?.outputs?.updated], [true, false]);
    const second = await runChain(robotRollout, app, '--confirm-write', '--input', 'name=Notify v2');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual([second.report?.outputs?.added, second.report?.outputs?.updated], [false, true]);
    assert.deepEqual(await applicationCall(emulator, 'bizproc.robot.list'), ['b24chain_notify']);
    assert.equal(await executed(emulator, 'bizproc.robot.add'), 1);
  });

  it("stop-workflows: refused without --confirm-destructive; terminates the template's workflows once", async () => {
    const webhook = webhookCredentials(emulator);
    const leadIds = [
      (await portalCall(emulator, 'crm.lead.add', { fields: { TITLE: 'A' } })) as number,
      (await portalCall(emulator, 'crm.lead.add', { fields: { TITLE: 'B' } })) as number,
    ];
    for (const leadId of leadIds)
      await portalCall(emulator, 'bizproc.workflow.start', { TEMPLATE_ID: 2, DOCUMENT_ID: ['crm', 'CCrmDocumentLead', `LEAD_${leadId}`] });
    const before = (await running(emulator)).length;

    const refused = await runChain(stopWorkflows, webhook, '--confirm-write', '--input', 'template_id=2');
    assert.equal(refused.code, 2);
    assert.equal((await running(emulator)).length, before);

    const first = await runChain(stopWorkflows, webhook, '--confirm-write', '--confirm-destructive', '--input', 'template_id=2', '--input', 'reason=Retired');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual([first.report?.outputs?.terminated, first.report?.outputs?.killed, first.report?.outputs?.failed], [2, 0, 0]);
    assert.deepEqual(
      (await running(emulator)).map((row) => row.TEMPLATE_ID),
      ['1'],
    );
    const second = await runChain(stopWorkflows, webhook, '--confirm-write', '--confirm-destructive', '--input', 'template_id=2');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.report?.outputs?.terminated, 0);
    assert.equal(await executed(emulator, 'bizproc.workflow.terminate'), 2);

    const emergency = await runChain(stopWorkflows, webhook, '--confirm-write', '--confirm-destructive', '--input', 'emergency=true');
    assert.equal(emergency.code, 0, emergency.stdout + emergency.stderr);
    assert.equal(emergency.report?.outputs?.killed, 1);
    assert.deepEqual(await running(emulator), []);
    assert.deepEqual(await portalCall(emulator, 'bizproc.task.list', { FILTER: { STATUS: 0 } }), []);
  });
});
