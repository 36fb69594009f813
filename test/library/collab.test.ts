import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
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

const provisioning = libraryChain('collab', 'workgroup-provisioning.yml');
const feedPost = libraryChain('collab', 'feed-post-lifecycle.yml');
const cleanup = libraryChain('collab', 'group-cleanup.yml');

describe('chains/collab', () => {
  let emulator: EmulatorProcess;
  before(async () => {
    emulator = await startLibraryEmulator();
  });
  after(() => emulator.stop());

  it('validates every chain, reporting its scopes, writes and destructive steps', async () => {
    const { code, reports } = await validateChains(provisioning, feedPost, cleanup);
    assert.equal(code, 0);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.writes, report.destructive]),
      [
        [true, ['sonet_group'], ['sonet_group.create', 'sonet_group.update'], []],
        [true, ['log'], ['log.blogpost.add', 'log.blogcomment.add', 'log.blogpost.update'], []],
        [true, ['sonet_group', 'task'], [], ['sonet_group.delete']],
      ],
    );
  });

  it('workgroup-provisioning: one group per name, settings applied, the mapping as output', async () => {
    const webhook = webhookCredentials(emulator);
    const inputs = ['--input', 'name=Project Apollo', '--input', 'external_key=JIRA-APOLLO', '--input', 'project=Y', '--input', 'description=Moon'];
    const refused = await runChain(provisioning, webhook, ...inputs);
    assert.equal(refused.code, 2);
    const noScope = await runChain(provisioning, await webhookWithout(emulator, 'sonet_group'), '--confirm-write', ...inputs);
    assert.equal(noScope.code, 2);
    assert.match(noScope.stdout + noScope.stderr, /sonet_group/);
    assert.equal(await executed(emulator, 'sonet_group.create', 'sonet_group.update'), 0);

    const first = await runChain(provisioning, webhook, '--confirm-write', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const groupId = Number(first.report?.outputs?.group_id);
    assert.deepEqual(first.report?.outputs?.mapping, { 'JIRA-APOLLO': groupId });
    const second = await runChain(provisioning, webhook, '--confirm-write', ...inputs.slice(0, 6), '--input', 'description=Moon and back');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.report?.outputs?.created, false);
    assert.equal(Number(second.report?.outputs?.group_id), groupId);
    const groups = await listAll(emulator.webhookUrl, 'sonet_group.get');
    assert.deepEqual(
      groups.map((group) => [group.ID, group.NAME, group.PROJECT, group.DESCRIPTION]),
      [[String(groupId), 'Project Apollo', 'Y', 'Moon and back']],
    );
  });

  it('feed-post-lifecycle: one post per title; a status change adds one comment and updates the post', async () => {
    const webhook = webhookCredentials(emulator);
    const base = ['--input', 'title=Release 4.2', '--input', 'message=Notes'];
    const refused = await runChain(feedPost, webhook, ...base);
    assert.equal(refused.code, 2);
    assert.equal(await executed(emulator, 'log.blogpost.add'), 0);

    const created = await runChain(feedPost, webhook, '--confirm-write', ...base);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    const postId = Number(created.report?.outputs?.post_id);
    // 55 newer posts push it to the second page of log.blogpost.get: the lookup reads every page.
    for (let index = 0; index < 55; index += 1) await portalCall(emulator, 'log.blogpost.add', { POST_TITLE: `Other ${index}`, POST_MESSAGE: 'x' });
    const changed = await runChain(feedPost, webhook, '--confirm-write', ...base, '--input', 'status=released', '--input', 'comment=Deployed');
    assert.equal(changed.code, 0, changed.stdout + changed.stderr);
    assert.equal(changed.report?.outputs?.status_changed, true);
    const again = await runChain(feedPost, webhook, '--confirm-write', ...base, '--input', 'status=released', '--input', 'comment=Deployed');
    assert.equal(again.report?.outputs?.status_changed, false);

    const posts = (await listAll(emulator.webhookUrl, 'log.blogpost.get')).filter((post) => post.TITLE === 'Release 4.2');
    assert.deepEqual(
      posts.map((post) => [Number(post.ID), post.TITLE, post.DETAIL_TEXT, post.NUM_COMMENTS]),
      [[postId, 'Release 4.2', 'Notes\n\nStatus: released', '1']],
    );
    assert.equal(await executed(emulator, 'log.blogpost.add'), 1 + 55);
    assert.equal(await executed(emulator, 'log.blogcomment.add'), 1);
  });

  it('group-cleanup: refused without --confirm-destructive, stopped by open tasks, then deletes once', async () => {
    const webhook = webhookCredentials(emulator);
    const groupId = (await portalCall(emulator, 'sonet_group.create', { NAME: 'Old team' })) as number;
    const taskId = (
      (await portalCall(emulator, 'tasks.task.add', { fields: { TITLE: 'Leftover', RESPONSIBLE_ID: 1, GROUP_ID: groupId } })) as { task: { id: string } }
    ).task.id;
    const inputs = ['--input', `group_id=${groupId}`];

    const refused = await runChain(cleanup, webhook, '--confirm-write', ...inputs);
    assert.equal(refused.code, 2);
    assert.match(refused.stdout + refused.stderr, /--confirm-destructive/);
    const blocked = await runChain(cleanup, webhook, '--confirm-write', '--confirm-destructive', ...inputs);
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stdout + blocked.stderr, /still has 1 open tasks/);
    assert.equal(await executed(emulator, 'sonet_group.delete'), 0);

    await portalCall(emulator, 'tasks.task.complete', { taskId });
    const deleted = await runChain(cleanup, webhook, '--confirm-write', '--confirm-destructive', ...inputs);
    assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
    assert.equal(deleted.report?.outputs?.deleted, true);
    assert.deepEqual(await listAll(emulator.webhookUrl, 'sonet_group.get', { FILTER: { ID: groupId } }), []);
    const again = await runChain(cleanup, webhook, '--confirm-write', '--confirm-destructive', ...inputs);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(again.report?.outputs?.found, false);
    assert.equal(await executed(emulator, 'sonet_group.delete'), 1);
  });
});
