/** The compliance pack's chains through the real CLI against an emulator process (demo seed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDelta, useLibraryHarness } from './helpers/use-library-harness.ts';

const WRITES = ['userconsent.consent.add', 'entity.add', 'entity.item.add', 'entity.item.update'];
const writesIn = (delta: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(delta).filter(([method]) => WRITES.includes(method)));

describe('chains/compliance', () => {
  const harness = useLibraryHarness();
  const files = ['compliance/consent-capture.yml', 'compliance/signed-docs-tail.yml'];
  const consentArgs = [
    '--input',
    'agreement=Personal data processing',
    '--input',
    'ip=203.0.113.7',
    '--input',
    'origin=contact_form',
    '--input',
    'originator=anna@example.com',
    '--input',
    'company_name=ACME Ltd',
  ];

  async function run(
    file: string,
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ sent: Record<string, number>; outputs: Record<string, unknown>; code: number | null; text: string }> {
    const before = await harness.methodCounts();
    const { cli, report } = await harness.run(file, args, env);
    return { sent: writesIn(methodDelta(before, await harness.methodCounts())), outputs: report?.outputs ?? {}, code: cli.code, text: cli.stdout + cli.stderr };
  }

  it('validates clean, each chain naming the scopes it needs', async () => {
    const { cli, files: reports } = await harness.validate(files);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.destructive.length]),
      [
        [true, ['entity', 'userconsent'], 0],
        [true, ['entity', 'sign.b2e'], 0],
      ],
    );
  });

  it('refuses to write without --confirm-write (exit 2, nothing written)', async () => {
    for (const [file, args, env] of [
      ['compliance/consent-capture.yml', consentArgs, undefined],
      ['compliance/signed-docs-tail.yml', [], harness.appEnv()],
    ] as const) {
      const attempt = await run(file, [...args], env);
      assert.equal(attempt.code, 2, `${file}: ${attempt.text}`);
      assert.match(attempt.text, /confirm-write/);
      assert.deepEqual(attempt.sent, {}, file);
    }
  });

  it('refuses a webhook without the userconsent scope before any write, naming it', async () => {
    const attempt = await run('compliance/consent-capture.yml', [...consentArgs, '--confirm-write'], await harness.limitedWebhookEnv(['entity']));
    assert.equal(attempt.code, 2, attempt.text);
    assert.match(attempt.text, /INSUFFICIENT_SCOPE/);
    assert.match(attempt.text, /userconsent/);
    assert.deepEqual(attempt.sent, {});
  });

  it('consent-capture: records the consent with its origin once, journaled with the agreement label', async () => {
    const first = await run('compliance/consent-capture.yml', [...consentArgs, '--confirm-write'], harness.appEnv());
    assert.equal(first.code, 0, first.text);
    assert.deepEqual(first.sent, { 'entity.add': 1, 'userconsent.consent.add': 1, 'entity.item.add': 1 });
    assert.match(String(first.outputs.label), /I agree/);
    const second = await run('compliance/consent-capture.yml', [...consentArgs, '--confirm-write'], harness.appEnv());
    assert.deepEqual([second.code, second.sent, second.outputs.consent_id, second.outputs.recorded_now], [0, {}, first.outputs.consent_id, false]);
    const journal = (await harness.readAsApp('entity.item.get', { ENTITY: 'b24consents' })) as Array<Record<string, string>>;
    assert.deepEqual(
      journal.map((entry) => [entry.CODE, entry.DETAIL_TEXT]),
      [['contact_form:anna@example.com', String(first.outputs.consent_id)]],
    );
  });

  it('signed-docs-tail: reports every document on the first poll, saves the checkpoints, and nothing new on the next', async () => {
    const first = await run('compliance/signed-docs-tail.yml', ['--confirm-write'], harness.appEnv());
    assert.equal(first.code, 0, first.text);
    assert.deepEqual(first.sent, { 'entity.add': 1, 'entity.item.add': 2 });
    assert.deepEqual([first.outputs.personal_new, first.outputs.mysafe_new, first.outputs.personal_more], [3, 2, false]);
    const second = await run('compliance/signed-docs-tail.yml', ['--confirm-write'], harness.appEnv());
    assert.deepEqual([second.code, second.sent, second.outputs.personal_new, second.outputs.mysafe_new], [0, {}, 0, 0]);
    const checkpoints = (await harness.readAsApp('entity.item.get', { ENTITY: 'b24signtail', SORT: { CODE: 'ASC' } })) as Array<Record<string, string>>;
    assert.deepEqual(
      checkpoints.map((entry) => [entry.CODE, entry.DETAIL_TEXT]),
      [
        ['mysafe', String(first.outputs.mysafe_checkpoint)],
        ['personal', String(first.outputs.personal_checkpoint)],
      ],
    );
    const webhook = await run('compliance/signed-docs-tail.yml', ['--confirm-write']);
    assert.notEqual(webhook.code, 0, 'a webhook cannot read the tails');
    assert.match(webhook.text, /WRONG_AUTH_TYPE/);
  });
});
