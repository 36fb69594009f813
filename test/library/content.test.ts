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

const uploadToFolder = libraryChain('content', 'upload-to-folder.yml');
const replaceVersion = libraryChain('content', 'replace-version.yml');
const moveAndArchive = libraryChain('content', 'move-and-archive.yml');

const base64 = (text: string): string => Buffer.from(text).toString('base64');

async function folder(emulator: EmulatorProcess, parentId: number, name: string): Promise<number> {
  const created = (await portalCall(emulator, 'disk.folder.addsubfolder', { id: parentId, data: { NAME: name } })) as { ID: string };
  return Number(created.ID);
}

async function children(emulator: EmulatorProcess, folderId: number): Promise<Array<Record<string, string>>> {
  return (await portalCall(emulator, 'disk.folder.getchildren', { id: folderId })) as Array<Record<string, string>>;
}

describe('chains/content', () => {
  let emulator: EmulatorProcess;
  let rootId: number;
  before(async () => {
    emulator = await startLibraryEmulator();
    const storages = (await portalCall(emulator, 'disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as Array<{ ROOT_OBJECT_ID: string }>;
    rootId = Number(storages[0]?.ROOT_OBJECT_ID);
  });
  after(() => emulator.stop());

  it('validates every chain, reporting its scopes, writes and destructive steps', async () => {
    const { code, reports } = await validateChains(uploadToFolder, replaceVersion, moveAndArchive);
    assert.equal(code, 0);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.writes, report.destructive]),
      [
        [true, ['crm', 'disk'], ['disk.folder.uploadfile', 'crm.deal.update'], []],
        [true, ['disk'], ['disk.file.uploadversion'], []],
        [true, ['disk'], ['disk.file.moveto', 'disk.file.copyto'], ['disk.file.delete']],
      ],
    );
  });

  it('upload-to-folder: uploads once by name and stores the file id on the deal', async () => {
    const webhook = webhookCredentials(emulator);
    const contracts = await folder(emulator, rootId, 'Contracts');
    const dealId = (await portalCall(emulator, 'crm.deal.add', { fields: { TITLE: 'Contract 17' } })) as number;
    const inputs = [
      '--input',
      `folder_id=${contracts}`,
      '--input',
      'file_name=contract-17.pdf',
      '--input',
      `content_base64=${base64('%PDF-1.7 contract')}`,
      '--input',
      `deal_id=${dealId}`,
    ];
    const refused = await runChain(uploadToFolder, webhook, ...inputs);
    assert.equal(refused.code, 2);
    const noScope = await runChain(uploadToFolder, await webhookWithout(emulator, 'disk'), '--confirm-write', ...inputs);
    assert.equal(noScope.code, 2);
    assert.match(noScope.stdout + noScope.stderr, /disk/);
    assert.equal(await executed(emulator, 'disk.folder.uploadfile'), 0);

    const first = await runChain(uploadToFolder, webhook, '--confirm-write', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const fileId = Number(first.report?.outputs?.file_id);
    const second = await runChain(uploadToFolder, webhook, '--confirm-write', ...inputs);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.report?.outputs?.uploaded, false);
    assert.equal(Number(second.report?.outputs?.file_id), fileId);

    assert.deepEqual(
      (await children(emulator, contracts)).map((file) => [Number(file.ID), file.NAME, file.SIZE]),
      [[fileId, 'contract-17.pdf', '17']],
    );
    const deal = (await portalCall(emulator, 'crm.deal.get', { id: dealId })) as Record<string, unknown>;
    assert.equal(Number(deal.UF_CRM_DISK_FILE), fileId);
  });

  it('replace-version: one new version per expected version, the previous one reported for rollback', async () => {
    const webhook = webhookCredentials(emulator);
    const file = (await portalCall(emulator, 'disk.folder.uploadfile', {
      id: rootId,
      data: { NAME: 'prices.csv' },
      fileContent: ['prices.csv', base64('a,1')],
    })) as { ID: string };
    const inputs = ['--input', `file_id=${file.ID}`, '--input', 'expected_version=1', '--input', `content_base64=${base64('a,1\nb,2')}`];
    const refused = await runChain(replaceVersion, webhook, ...inputs);
    assert.equal(refused.code, 2);

    const first = await runChain(replaceVersion, webhook, '--confirm-write', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.report?.outputs?.replaced, true);
    assert.equal(first.report?.outputs?.current_version, 2);
    const previous = first.report?.outputs?.previous_version as { global_content_version: number; size: string; version_id: number };
    assert.equal(previous.global_content_version, 1);
    assert.equal(previous.size, '3');
    assert.ok(previous.version_id > 0);

    const second = await runChain(replaceVersion, webhook, '--confirm-write', ...inputs);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.report?.outputs?.replaced, false);
    const current = (await portalCall(emulator, 'disk.file.get', { id: file.ID })) as Record<string, unknown>;
    assert.equal(current.GLOBAL_CONTENT_VERSION, 2);
    assert.equal(current.SIZE, '7');
    assert.equal(((await portalCall(emulator, 'disk.file.getVersions', { id: file.ID })) as unknown[]).length, 1);
    assert.equal(await executed(emulator, 'disk.file.uploadversion'), 1);
  });

  it('move-and-archive: moves, backs up, deletes the archived file, and a second run changes nothing', async () => {
    const webhook = webhookCredentials(emulator);
    const [work, archive, backup] = [
      await folder(emulator, rootId, 'Work'),
      await folder(emulator, rootId, 'Archive'),
      await folder(emulator, rootId, 'Backup'),
    ];
    const original = (await portalCall(emulator, 'disk.folder.uploadfile', {
      id: work,
      data: { NAME: 'report.pdf' },
      fileContent: ['report.pdf', base64('report')],
    })) as { ID: string };
    const inputs = [
      '--input',
      'file_name=report.pdf',
      '--input',
      `source_folder_id=${work}`,
      '--input',
      `archive_folder_id=${archive}`,
      '--input',
      `backup_folder_id=${backup}`,
      '--input',
      'delete_original=true',
    ];

    const refused = await runChain(moveAndArchive, webhook, '--confirm-write', ...inputs);
    assert.equal(refused.code, 2);
    assert.match(refused.stdout + refused.stderr, /--confirm-destructive/);
    assert.equal(await executed(emulator, 'disk.file.moveto'), 0);

    const first = await runChain(moveAndArchive, webhook, '--confirm-write', '--confirm-destructive', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual([first.report?.outputs?.moved, first.report?.outputs?.deleted], [true, true]);
    const second = await runChain(moveAndArchive, webhook, '--confirm-write', '--confirm-destructive', ...inputs);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual([second.report?.outputs?.moved, second.report?.outputs?.deleted], [false, false]);

    assert.deepEqual(await children(emulator, work), []);
    assert.deepEqual(await children(emulator, archive), []);
    const backups = await children(emulator, backup);
    assert.deepEqual(
      backups.map((file) => [file.NAME, file.SIZE]),
      [['report.pdf', '6']],
    );
    assert.notEqual(backups[0]?.ID, original.ID);
    assert.deepEqual(
      [await executed(emulator, 'disk.file.moveto'), await executed(emulator, 'disk.file.copyto'), await executed(emulator, 'disk.file.delete')],
      [1, 1, 1],
    );
  });
});
