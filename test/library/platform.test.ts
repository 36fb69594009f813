/** The platform pack's chains through the real CLI against an emulator process (demo seed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDelta, useLibraryHarness } from './helpers/use-library-harness.ts';

const WRITES = ['entity.add', 'entity.item.add', 'biconnector.source.add', 'ai.engine.register', 'ai.engine.unregister'];
const writesIn = (delta: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(delta).filter(([method]) => WRITES.includes(method)));

describe('chains/platform', () => {
  const harness = useLibraryHarness();
  const files = ['platform/custom-storage.yml', 'platform/biconnector-source.yml', 'platform/ai-engine.yml'];

  async function run(file: string, args: string[], env?: Record<string, string>): Promise<{ sent: Record<string, number>; outputs: Record<string, unknown> }> {
    const before = await harness.methodCounts();
    const { cli, report } = await harness.run(file, args, env);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    return { sent: writesIn(methodDelta(before, await harness.methodCounts())), outputs: report?.outputs ?? {} };
  }

  it('validates clean, each chain naming the scope it needs; only the engine cleanup is destructive', async () => {
    const { cli, files: reports } = await harness.validate(files);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.destructive.length]),
      [
        [true, ['entity'], 0],
        [true, ['biconnector'], 0],
        [true, ['ai_admin'], 1],
      ],
    );
  });

  it('refuses to write without confirmation (exit 2, nothing written); the engine cleanup needs --confirm-destructive too', async () => {
    const inputs: Record<string, string[]> = {
      'platform/custom-storage.yml': ['--input', 'records=[{"code":"x"}]'],
      'platform/biconnector-source.yml': ['--input', 'connector_id=1', '--input', 'title=Refused'],
      'platform/ai-engine.yml': ['--input', 'code=refused', '--input', 'name=Refused', '--input', 'completions_url=https://ai.example.test/c'],
    };
    const attempts: Array<[string, string[], RegExp]> = [
      ...files.map((file): [string, string[], RegExp] => [file, inputs[file] ?? [], /confirm-(write|destructive)/]),
      ['platform/ai-engine.yml', [...(inputs['platform/ai-engine.yml'] ?? []), '--confirm-write'], /confirm-destructive/],
    ];
    for (const [file, args, expected] of attempts) {
      const before = await harness.methodCounts();
      const { cli } = await harness.run(file, args);
      assert.equal(cli.code, 2, `${file}: ${cli.stdout}${cli.stderr}`);
      assert.match(cli.stdout + cli.stderr, expected);
      assert.deepEqual(writesIn(methodDelta(before, await harness.methodCounts())), {}, file);
    }
  });

  it('custom-storage: creates the storage and each record once, and reads them back (application context only)', async () => {
    const args = [
      '--input',
      'entity=syncstate',
      '--input',
      'records=[{"code":"last-export","name":"Last export","value":"2026-11-27T10:00:00Z"},{"code":"cursor","value":42}]',
      '--confirm-write',
    ];
    const before = await harness.methodCounts();
    const webhook = await harness.run('platform/custom-storage.yml', args);
    assert.equal(webhook.cli.code, 1, 'a webhook has no application context');
    assert.match(webhook.cli.stdout + webhook.cli.stderr, /ACCESS_DENIED/);
    assert.deepEqual(writesIn(methodDelta(before, await harness.methodCounts())), {});

    const first = await run('platform/custom-storage.yml', args, harness.appEnv());
    assert.deepEqual(first.sent, { 'entity.add': 1, 'entity.item.add': 2 });
    assert.deepEqual(first.outputs, { storage_created: true, records_in: 2, stored: 2 });
    const second = await run('platform/custom-storage.yml', args, harness.appEnv());
    assert.deepEqual(second.sent, {});
    assert.equal(second.outputs.stored, 2);
    const stored = (await harness.readAsApp('entity.item.get', { ENTITY: 'syncstate', SORT: { ID: 'ASC' } })) as Array<Record<string, string>>;
    assert.deepEqual(
      stored.map((item) => [item.CODE, item.NAME, item.DETAIL_TEXT]),
      [
        ['last-export', 'Last export', '2026-11-27T10:00:00Z'],
        ['cursor', 'cursor', '42'],
      ],
    );
  });

  it('biconnector-source: adds the source to the connector once; the list never shows its settings', async () => {
    const args = ['--input', 'connector_id=1', '--input', 'title=Warehouse stock', '--input', 'settings={"apiKey":"k-123"}', '--confirm-write'];
    const first = await run('platform/biconnector-source.yml', args);
    assert.deepEqual([first.sent, first.outputs.connector, first.outputs.created], [{ 'biconnector.source.add': 1 }, 'Demo warehouse', true]);
    assert.deepEqual((await run('platform/biconnector-source.yml', args)).sent, {});
    const sources = (await harness.read('biconnector.source.list', { filter: { title: 'Warehouse stock' } })) as Array<Record<string, unknown>>;
    assert.deepEqual(
      sources.map((source) => [source.title, source.connectorId, 'settings' in source]),
      [['Warehouse stock', '1', false]],
    );
  });

  it('ai-engine: registers the engine once by code and unregisters the retired one', async () => {
    await harness.read('ai.engine.register', { name: 'ACME v1', code: 'acme_v1', category: 'text', completions_url: 'https://ai.example.test/v1' });
    const args = [
      '--input',
      'code=acme_gpt',
      '--input',
      'name=ACME GPT',
      '--input',
      'completions_url=https://ai.example.test/v2',
      '--input',
      'retire=["acme_v1","gone"]',
      '--confirm-write',
      '--confirm-destructive',
    ];
    const first = await run('platform/ai-engine.yml', args);
    assert.deepEqual([first.sent, first.outputs.retired], [{ 'ai.engine.register': 1, 'ai.engine.unregister': 1 }, 1]);
    assert.deepEqual((await run('platform/ai-engine.yml', args)).sent, {});
    const engines = (await harness.read('ai.engine.list')) as Array<{ code: string; completions_url: string }>;
    assert.deepEqual(
      engines.map((engine) => [engine.code, engine.completions_url]),
      [['acme_gpt', 'https://ai.example.test/v2']],
    );
  });
});
