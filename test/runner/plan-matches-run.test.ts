/**
 * A plan counts what the run sends: for every bundled chain and every valid fixture (with the inputs
 * they need), the writes `chain plan` counts, per method, equal the write commands the portal
 * executed during `chain run --confirm-write` on a fresh portal with the same seed. Most cases go
 * through the library (the same `planChain`/`runChain` the CLI calls), a few through the real CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateChainFile, type ChainSummary } from '../../src/chain/index.ts';
import { B24Client } from '../../src/client/index.ts';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { adaptClient } from '../../src/runner/client-adapter.ts';
import { planChain } from '../../src/runner/plan-chain.ts';
import { runChain } from '../../src/runner/run-chain.ts';
import { RunStore } from '../../src/runner/run-store.ts';
import type { RunnerClient } from '../../src/runner/runner-client.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { callMethod } from '../helpers/portal-reader.ts';
import { runCli, webhookEnv } from '../helpers/run-cli.ts';
import { emulatorClient } from '../helpers/run-in-process.ts';

function chainFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return chainFiles(path);
    return name.endsWith('.yml') ? [path] : [];
  });
}

/** Offline-queue rows as the worker hands them to a handler (lead ids of the demo seed). */
function leadEvents(ids: number[], name = 'ONCRMLEADADD'): Array<Record<string, unknown>> {
  return ids.map((id, index) => ({ ID: String(100 + index), EVENT_NAME: name, EVENT_DATA: { FIELDS: { ID: id } }, MESSAGE_ID: String(index).padStart(32, 'a'), TIMESTAMP_X: '2026-11-27T10:00:00+00:00' }));
}

/** The inputs each chain is exercised with; a file not named here runs once with its defaults. */
const inputCases: Record<string, Array<Record<string, unknown>>> = {
  'chains/core/lead-to-deal.yml': [{}, { status: 'NEW' }, { status: 'PROCESSED' }, { status: 'JUNK' }, { status: 'NO_SUCH_STATUS' }],
  'chains/core/lead-intake.yml': [
    { title: 'Website request', name: 'Anna', email: 'anna@example.com', score: 70 },
    { title: 'Call back', phone: '+1 555 0100', owner_id: 2, comment: 'Morning' },
    { title: 'Both keys', email: ' Mixed@Example.COM ', phone: '+1 555 0101' },
  ],
  'chains/core/event-bootstrap.yml': [{}, { events: ['ONCRMDEALADD'] }, { events: [], auth_connector: 'sync' }],
  'chains/core/handlers/lead-contact-sync.yml': [
    { events: leadEvents([1, 2, 3]) },
    { events: [] },
    { events: leadEvents([5]) },
    { events: leadEvents([7, 7, 8]), originator: 'other-sync' },
    { events: leadEvents(Array.from({ length: 40 }, (_, index) => index + 1)) },
  ],
  'chains/core/task-handoff.yml': [
    { title: 'Planned on v3', deadline: '2026-12-31T18:00:00+00:00' },
    { title: 'Planned on v2', deadline: '2026-12-31T18:00:00+00:00', api: 2 },
  ],
  'test/fixtures/chains/valid/all-step-kinds.yml': [{}, { notify: true }, { status: 'IN_PROCESS', notify: true }, { status: 'PROCESSED' }, { status: 'JUNK', notify: true }, { status: 'NONE' }],
};

interface Case {
  file: string;
  inputs: Record<string, unknown>;
  /** Records made on the fresh portal before the plan and before the run alike. */
  given?: { label: string; method: string; params: Record<string, unknown> };
}

const files = [...chainFiles('chains'), ...chainFiles('test/fixtures/chains/valid')].sort();
const cases: Case[] = [
  ...files.flatMap((file) => (inputCases[file] ?? [{}]).map((inputs) => ({ file, inputs }))),
  // Reads inside a for_each decide writes: the lead whose contact exists gets none, in the plan too.
  {
    file: 'chains/core/handlers/lead-contact-sync.yml',
    inputs: { events: leadEvents([1, 2, 3]) },
    given: { label: 'the contact of lead 2 exists', method: 'crm.contact.add', params: { fields: { NAME: 'Known', ORIGINATOR_ID: 'b24chain-events', ORIGIN_ID: 'lead-2' } } },
  },
  {
    file: 'chains/core/lead-intake.yml',
    inputs: { title: 'Again', email: 'anna@example.com' },
    given: { label: 'the lead exists', method: 'crm.lead.add', params: { fields: { TITLE: 'First', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'intake:anna@example.com' } } },
  },
];

/** Executions of the chain's write methods, from the portal's statistics. */
function writesSent(methods: Record<string, number>, summary: ChainSummary): Record<string, number> {
  const writeMethods = new Set([...summary.writes, ...summary.destructive].map((use) => use.method));
  return Object.fromEntries(Object.entries(methods).filter(([method, count]) => writeMethods.has(method) && count > 0).sort());
}

function writesPlanned(counts: Array<{ method: string; count: number }>): Record<string, number> {
  const byMethod: Record<string, number> = {};
  for (const entry of counts) byMethod[entry.method] = (byMethod[entry.method] ?? 0) + entry.count;
  return Object.fromEntries(Object.entries(byMethod).filter(([, count]) => count > 0).sort());
}

function applicationClient(emulator: RunningEmulator): { client: RunnerClient; close(): Promise<void> } {
  const env = {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'oauth',
    B24_ACCESS_TOKEN: emulator.app.accessToken,
    B24_REFRESH_TOKEN: emulator.app.refreshToken,
    B24_CLIENT_ID: emulator.app.clientId,
    B24_CLIENT_SECRET: emulator.app.clientSecret,
    B24_OAUTH_URL: emulator.app.serverEndpoint,
    B24_RATE_LIMITER: 'memory',
    B24_RATE_LIMITER_RATE: '1000',
    B24_RATE_LIMITER_BURST: '1000',
  };
  const b24 = new B24Client({ connection: resolveConnection({ env }) });
  return { client: adaptClient(b24), close: () => b24.close() };
}

let emulator: RunningEmulator;
before(async () => {
  emulator = await startEmulator({ seed: 'demo', rate: 1000, burst: 1000 });
});
after(async () => emulator.close());

describe('the writes a plan counts are the writes the run sends (library: planChain, runChain)', () => {
  it('covers every bundled chain and every valid fixture', () => {
    assert.ok(files.includes('chains/core/lead-to-deal.yml') && files.includes('chains/core/handlers/lead-contact-sync.yml'));
    assert.ok(files.includes('test/fixtures/chains/valid/for-each-one-object.yml'));
    assert.ok(cases.length >= 25, `${cases.length} cases`);
  });

  for (const { file, inputs, given } of cases) {
    it(`${file} ${describeInputs(inputs)}${given ? `, ${given.label}` : ''}`, async () => {
      /** A fresh portal (and the given records); returns the write counts from then on. */
      const prepare = async (): Promise<() => Promise<Record<string, number>>> => {
        await emulator.reset();
        if (given) assert.equal((await callMethod(emulator.webhookUrl, given.method, given.params)).error, undefined);
        const before = writesSent((await emulator.stats()).methods, report.summary);
        return async () => {
          const now = writesSent((await emulator.stats()).methods, report.summary);
          return Object.fromEntries(Object.entries(now).map(([method, count]) => [method, count - (before[method] ?? 0)]).filter(([, count]) => count !== 0));
        };
      };
      const report = await validateChainFile(file);
      assert.ok(report.valid && report.chain, file);
      const chain = report.chain;
      const appOnly = report.summary.writes.concat(report.summary.destructive).some((use) => use.method.startsWith('event.')) || file.includes('event-');
      const connect = (): { client: RunnerClient; close(): Promise<void> } => (appOnly ? applicationClient(emulator) : emulatorClient(emulator));

      const writesDuringPlan = await prepare();
      const planning = connect();
      let planned: Record<string, number>;
      let plannedKeys: Record<string, string[]>;
      try {
        const draft = await planChain({ chain, inputs: { ...defaultsOf(chain), ...inputs }, client: planning.client });
        planned = writesPlanned(draft.counts);
        plannedKeys = draft.itemKeys;
      } finally {
        await planning.close();
      }
      assert.deepEqual(await writesDuringPlan(), {}, 'the plan wrote nothing');

      const writesDuringRun = await prepare();
      const running = connect();
      const store = new RunStore(openStateDatabase(':memory:'));
      try {
        const outcome = await runChain({
          chain,
          chainPath: file,
          chainSha256: report.sha256,
          summary: report.summary,
          inputs: { ...defaultsOf(chain), ...inputs },
          client: running.client,
          store,
          confirmWrite: true,
          confirmDestructive: true,
        });
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        assert.deepEqual(await writesDuringRun(), planned, 'writes sent by the run, per method, against the plan');
        // The items the run wrote for are the items the plan listed.
        for (const [stepId, keys] of Object.entries(plannedKeys)) {
          const touched = store.countItems(outcome.run.id)[stepId] ?? {};
          const written = Object.entries(touched).filter(([status]) => status !== 'not_planned').reduce((sum, [, count]) => sum + count, 0);
          assert.ok(written <= keys.length, `${stepId}: ${written} items recorded, ${keys.length} planned`);
        }
      } finally {
        await running.close();
      }
    });
  }
});

/** Short test names: an array of rows is shown by its length. */
function describeInputs(inputs: Record<string, unknown>): string {
  return Object.entries(inputs).map(([name, value]) => `${name}=${Array.isArray(value) && typeof value[0] === 'object' ? `[${value.length} rows]` : JSON.stringify(value)}`).join(' ');
}

function defaultsOf(chain: { inputs: Array<{ name: string; default?: unknown }> }): Record<string, unknown> {
  return Object.fromEntries(chain.inputs.flatMap((input) => (input.default === undefined ? [] : [[input.name, input.default]])));
}

describe('the writes a plan counts are the writes the run sends (the real CLI)', () => {
  const cliCases: Array<{ file: string; inputs: string[]; expected: Record<string, number> }> = [
    { file: 'test/fixtures/chains/valid/for-each-one-object.yml', inputs: [], expected: { 'crm.timeline.comment.add': 1, 'tasks.task.add': 1 } },
    { file: 'chains/core/lead-to-deal.yml', inputs: ['status=NEW'], expected: { 'crm.contact.add': 10, 'crm.deal.add': 10, 'crm.lead.update': 10 } },
    { file: 'chains/core/handlers/lead-contact-sync.yml', inputs: [`events=${JSON.stringify(leadEvents([4, 9]))}`], expected: { 'crm.contact.add': 2 } },
    { file: 'chains/core/lead-intake.yml', inputs: ['title=Website request', 'email=anna@example.com'], expected: { 'crm.lead.add': 1, 'crm.lead.update': 1 } },
  ];
  for (const { file, inputs, expected } of cliCases) {
    it(`${file} ${inputs.map((assignment) => assignment.slice(0, 40)).join(' ')}`, async () => {
      const report = await validateChainFile(file);
      assert.ok(report.valid);
      const inputFlags = inputs.flatMap((assignment) => ['--input', assignment]);
      const env = webhookEnv(emulator, join(mkdtempSync(join(tmpdir(), 'b24chain-plan-run-')), 'state.db'));

      await emulator.reset();
      const planned = await runCli(['plan', file, ...inputFlags, '--json'], env);
      assert.equal(planned.code, 0, planned.stderr);
      const plan = JSON.parse(planned.stdout) as { writes: Array<{ method: string; count: number }> };
      assert.deepEqual(writesPlanned(plan.writes), expected, 'plan');
      assert.deepEqual(writesSent((await emulator.stats()).methods, report.summary), {}, 'the plan wrote nothing');

      await emulator.reset();
      const ran = await runCli(['run', file, ...inputFlags, '--confirm-write', '--json'], env);
      assert.equal(ran.code, 0, ran.stderr + ran.stdout);
      assert.deepEqual(writesSent((await emulator.stats()).methods, report.summary), expected, 'run');
    });
  }
});

describe('a plan stops where the run stops (the real CLI)', () => {
  it('a failed assert: both exit 1 with ASSERTION_FAILED, and neither writes', async () => {
    const env = webhookEnv(emulator, join(mkdtempSync(join(tmpdir(), 'b24chain-plan-assert-')), 'state.db'));
    await emulator.reset();
    const planned = await runCli(['plan', 'chains/core/lead-intake.yml', '--input', 'title=No key', '--json'], env);
    assert.equal(planned.code, 1, planned.stderr + planned.stdout);
    assert.equal((JSON.parse(planned.stdout) as { errors: Array<{ code: string }> }).errors[0]?.code, 'ASSERTION_FAILED');
    const ran = await runCli(['run', 'chains/core/lead-intake.yml', '--input', 'title=No key', '--confirm-write', '--json'], env);
    assert.equal(ran.code, 1, ran.stderr + ran.stdout);
    assert.equal((JSON.parse(ran.stdout) as { errors: Array<{ code: string }> }).errors[0]?.code, 'ASSERTION_FAILED');
    const stats = await emulator.stats();
    assert.equal((stats.methods['crm.lead.add'] ?? 0) + (stats.methods['crm.lead.update'] ?? 0), 0);
  });
});
