/** The sites pack's chains through the real CLI against an emulator process (demo seed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDelta, useLibraryHarness } from './helpers/use-library-harness.ts';

const WRITES = ['landing.site.add', 'landing.landing.add', 'landing.landing.update', 'landing.landing.delete', 'landing.site.delete'];
const writesIn = (delta: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(delta).filter(([method]) => WRITES.includes(method)));

type Row = Record<string, string>;

describe('chains/sites', () => {
  const harness = useLibraryHarness();
  const files = ['sites/site-bootstrap.yml', 'sites/content-update.yml', 'sites/site-cleanup.yml'];

  async function run(
    file: string,
    args: string[],
  ): Promise<{ sent: Record<string, number>; outputs: Record<string, unknown>; code: number | null; text: string }> {
    const before = await harness.methodCounts();
    const { cli, report } = await harness.run(file, args);
    return { sent: writesIn(methodDelta(before, await harness.methodCounts())), outputs: report?.outputs ?? {}, code: cli.code, text: cli.stdout + cli.stderr };
  }
  async function pagesOf(siteId: unknown): Promise<Row[]> {
    return (await harness.read('landing.landing.getList', { params: { filter: { SITE_ID: siteId }, order: { ID: 'ASC' } } })) as Row[];
  }

  it('validates clean, each chain naming the landing scope; the cleanup is destructive', async () => {
    const { cli, files: reports } = await harness.validate(files);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.destructive.length]),
      [
        [true, ['landing'], 0],
        [true, ['landing'], 0],
        [true, ['landing'], 2],
      ],
    );
  });

  it('refuses to write without confirmation (exit 2, nothing written)', async () => {
    const attempts: Array<[string, string[], RegExp]> = [
      ['sites/site-bootstrap.yml', ['--input', 'site_code=refused', '--input', 'site_title=R', '--input', 'page_title=R'], /confirm-write/],
      ['sites/content-update.yml', ['--input', 'site_code=refused'], /confirm-write/],
      ['sites/site-cleanup.yml', ['--input', 'site_code=refused', '--input', 'delete_site=true', '--confirm-write'], /confirm-destructive/],
    ];
    for (const [file, args, expected] of attempts) {
      const attempt = await run(file, args);
      assert.equal(attempt.code, 2, `${file}: ${attempt.text}`);
      assert.match(attempt.text, expected);
      assert.deepEqual(attempt.sent, {}, file);
    }
  });

  it('bootstraps a site and page once, updates only differing pages, cleans up only unpublished pages, then the site', async () => {
    const bootstrap = ['--input', 'site_code=promo', '--input', 'site_title=Spring promo', '--input', 'page_title=Spring offers', '--confirm-write'];
    const first = await run('sites/site-bootstrap.yml', bootstrap);
    assert.equal(first.code, 0, first.text);
    assert.deepEqual(first.sent, { 'landing.site.add': 1, 'landing.landing.add': 1 });
    const again = await run('sites/site-bootstrap.yml', bootstrap);
    assert.deepEqual([again.code, again.sent, again.outputs.site_id, again.outputs.page_id], [0, {}, first.outputs.site_id, first.outputs.page_id]);
    const siteId = first.outputs.site_id;
    const sites = (await harness.read('landing.site.getList', { params: { filter: { CODE: 'promo' } } })) as Row[];
    assert.deepEqual(
      sites.map((site) => [site.ID, site.TITLE]),
      [[String(siteId), 'Spring promo']],
    );

    // Two more pages: one to keep (published), one to retire.
    const addPage = async (code: string): Promise<number> =>
      (await harness.read('landing.landing.add', { fields: { TITLE: code, CODE: code, SITE_ID: siteId } })) as number;
    const news = await addPage('news');
    await addPage('old-offer');
    await harness.read('landing.landing.publication', { lid: news });

    const update = [
      '--input',
      'site_code=promo',
      '--input',
      'pages=[{"code":"main","title":"Summer offers","description":"Up to 30% off"},{"code":"news","title":"news"},{"code":"missing","title":"x"}]',
      '--confirm-write',
    ];
    const updated = await run('sites/content-update.yml', update);
    assert.equal(updated.code, 0, updated.text);
    assert.deepEqual([updated.sent, updated.outputs.matched, updated.outputs.not_found], [{ 'landing.landing.update': 1 }, 2, 1]);
    assert.deepEqual((await run('sites/content-update.yml', update)).sent, {});
    assert.deepEqual(
      (await pagesOf(siteId)).map((row) => [row.CODE, row.TITLE, row.DESCRIPTION]),
      [
        ['main', 'Summer offers', 'Up to 30% off'],
        ['news', 'news', ''],
        ['old-offer', 'old-offer', ''],
      ],
    );

    const destructive = ['--confirm-write', '--confirm-destructive'];
    const refused = await run('sites/site-cleanup.yml', ['--input', 'site_code=promo', '--input', 'page_codes=["news","old-offer"]', ...destructive]);
    assert.notEqual(refused.code, 0, 'a published target stops the cleanup');
    assert.match(refused.text, /published/);
    assert.deepEqual(refused.sent, {});
    const cleaned = await run('sites/site-cleanup.yml', ['--input', 'site_code=promo', '--input', 'page_codes=["old-offer"]', ...destructive]);
    assert.deepEqual([cleaned.code, cleaned.sent, cleaned.outputs.pages_deleted], [0, { 'landing.landing.delete': 1 }, 1]);
    assert.deepEqual(
      (await pagesOf(siteId)).map((row) => row.CODE),
      ['main', 'news'],
    );
    assert.deepEqual(
      (await run('sites/site-cleanup.yml', ['--input', 'site_code=promo', '--input', 'page_codes=["old-offer"]', ...destructive])).sent,
      {},
      'nothing left to delete',
    );

    await harness.read('landing.landing.unpublic', { lid: news });
    const whole = await run('sites/site-cleanup.yml', ['--input', 'site_code=promo', '--input', 'delete_site=true', ...destructive]);
    assert.deepEqual([whole.code, whole.sent, whole.outputs.site_deleted, whole.outputs.pages_deleted], [0, { 'landing.site.delete': 1 }, true, 2]);
    assert.deepEqual(await harness.read('landing.site.getList', { params: { filter: { CODE: 'promo' } } }), []);
    assert.deepEqual(await pagesOf(siteId), [], 'the pages went with the site');
  });
});
