import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import {
  applicationCall,
  applicationCredentials,
  executed,
  libraryChain,
  runChain,
  startLibraryEmulator,
  validateChains,
  webhookCredentials,
  webhookWithout,
} from './helpers/library-harness.ts';

const methodCompatibility = libraryChain('diagnostics', 'method-compatibility.yml');
const eventCapability = libraryChain('diagnostics', 'event-capability.yml');
const runtimeSanity = libraryChain('diagnostics', 'runtime-sanity.yml');

describe('chains/diagnostics', () => {
  let emulator: EmulatorProcess;
  before(async () => {
    emulator = await startLibraryEmulator();
  });
  after(() => emulator.stop());

  it('validates every chain, reporting its scopes and writes', async () => {
    const expected: Array<[string, string[], string[]]> = [
      [methodCompatibility, ['basic'], []],
      [eventCapability, ['basic'], ['event.bind']],
      [runtimeSanity, ['basic', 'user'], []],
    ];
    const { code, reports } = await validateChains(...expected.map(([file]) => file));
    assert.equal(code, 0);
    for (const [index, [file, scopes, writes]] of expected.entries()) {
      const report = reports[index];
      assert.ok(report);
      assert.deepEqual(report.problems, []);
      assert.deepEqual(report.scopes, scopes, file);
      assert.deepEqual(report.writes, writes, file);
      assert.deepEqual(report.destructive, []);
    }
  });

  it('method-compatibility: an available method needs no scope read; a missing scope is named', async () => {
    const available = await runChain(methodCompatibility, webhookCredentials(emulator), '--input', 'method=crm.lead.add');
    assert.equal(available.code, 0, available.stderr);
    assert.equal(available.report?.outputs?.available, true);
    assert.deepEqual(available.report?.outputs?.missing_scopes, []);
    assert.ok(Number(available.report?.outputs?.callable_methods) > 20);

    const withoutCrm = await webhookWithout(emulator, 'crm');
    const blocked = await runChain(methodCompatibility, withoutCrm, '--input', 'method=crm.lead.add', '--input', 'required_scopes=["crm","user"]');
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.equal(blocked.report?.outputs?.exists, true);
    assert.equal(blocked.report?.outputs?.available, false);
    assert.deepEqual(blocked.report?.outputs?.missing_scopes, ['crm']);

    const unknown = await runChain(methodCompatibility, webhookCredentials(emulator), '--input', 'method=crm.nothing.here');
    assert.equal(unknown.report?.outputs?.exists, false);
  });

  it('event-capability: binds an offered event once, and refuses to bind without --confirm-write', async () => {
    const refused = await runChain(eventCapability, applicationCredentials(emulator));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.equal(await executed(emulator, 'event.bind'), 0);
    assert.deepEqual(await applicationCall(emulator, 'event.get'), []);

    const first = await runChain(eventCapability, applicationCredentials(emulator), '--confirm-write');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.report?.outputs?.offline_supported, true);
    assert.equal(first.report?.outputs?.event_offered, true);
    assert.equal(first.report?.outputs?.bound_now, true);
    assert.deepEqual(await applicationCall(emulator, 'event.get'), [{ event: 'ONCRMDEALUPDATE', connector_id: '', offline: 1 }]);

    const second = await runChain(eventCapability, applicationCredentials(emulator), '--confirm-write');
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.report?.outputs?.already_bound, true);
    assert.equal(second.report?.outputs?.bound_now, false);
    assert.equal(await executed(emulator, 'event.bind'), 1);

    const notOffered = await runChain(eventCapability, applicationCredentials(emulator), '--confirm-write', '--input', 'event=ONNOSUCHEVENT');
    assert.equal(notOffered.code, 0, notOffered.stderr);
    assert.equal(notOffered.report?.outputs?.event_offered, false);
    assert.equal(await executed(emulator, 'event.bind'), 1);
  });

  it('runtime-sanity: reads the clock and the user', async () => {
    const run = await runChain(runtimeSanity, webhookCredentials(emulator));
    assert.equal(run.code, 0, run.stderr);
    assert.match(String(run.report?.outputs?.server_time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof run.report?.outputs?.clock_skew_seconds, 'number');
    assert.equal(run.report?.outputs?.user_id, '1');
  });
});
