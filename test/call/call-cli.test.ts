/**
 * `chain call` and `chain audit` as a user runs them: child processes, the seed-compatible environment
 * pointing at an emulated portal, exit codes, the text and JSON they print, and the state file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import type { CliResult } from '../helpers/run-cli.ts';
import { countLeads, webhookConnectionEnv } from './helpers/call-fixture.ts';
import { runCallCli } from './helpers/run-call-cli.ts';

const schemaPath = (name: string): URL => new URL(`../../schemas/${name}`, import.meta.url);

function callResultValidator(): (value: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, validateFormats: false, allowUnionTypes: true });
  ajv.addSchema(JSON.parse(readFileSync(schemaPath('error.schema.json'), 'utf8')) as Record<string, unknown>);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath('call-result.schema.json'), 'utf8')) as Record<string, unknown>);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`));
}

interface CallDocument {
  status: string;
  exitCode: number;
  result?: unknown;
  plan?: { id: string; argv: string[]; command: string };
  idempotency: { replayed: boolean; key: string | null };
  errors: Array<{ code: string; message: string }>;
}

function documentOf(result: CliResult): CallDocument {
  return JSON.parse(result.stdout) as CallDocument;
}

const notAudited = 'VALUE-THAT-MUST-NOT-BE-AUDITED';

describe('chain call (CLI): a session against an emulated portal', () => {
  let emulator: RunningEmulator;
  let directory: string;
  let env: Record<string, string>;
  const results = new Map<string, CliResult>();
  const run = async (name: string, args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliResult> => {
    const result = await runCallCli(args, { ...env, ...extraEnv });
    results.set(name, result);
    return result;
  };

  before(async () => {
    emulator = await startEmulator({ seed: 'demo' });
    directory = mkdtempSync(join(tmpdir(), 'b24chain-call-cli-'));
    env = { ...webhookConnectionEnv(emulator), B24_DB: join(directory, 'state.db') };
    const lead = JSON.stringify({ fields: { TITLE: notAudited } });
    const keyed = JSON.stringify({ fields: { TITLE: 'CLI keyed', ORIGINATOR_ID: 'cli', ORIGIN_ID: '1' } });
    await run('read', ['call', 'user.current', '--json']);
    await run('unconfirmed', ['call', 'crm.lead.add', '--params', lead, '--json']);
    const planned = await run('planned', ['call', 'crm.lead.add', '--params', lead, '--plan-only', '--json']);
    const argv = documentOf(planned).plan?.argv ?? [];
    await run('executed', [...argv.slice(1), '--json']);
    await run('keyed', ['call', 'crm.lead.add', '--params', keyed, '--confirm-write', '--json']);
    await run('replayed', ['call', 'crm.lead.add', '--params', keyed, '--confirm-write', '--json']);
    await run('failed', ['call', 'crm.lead.update', '--params', '{"id": 999999, "fields": {"TITLE": "x"}}', '--confirm-write', '--json']);
    await run('partial', ['call', 'batch', '--params', '{"halt": 0, "cmd": {"me": "user.current", "gone": "crm.lead.get?id=999999"}}', '--json']);
    await run('badJson', ['call', 'crm.lead.list', '--params', '{"filter": {"ID": 1}', '--json']);
    await run('badJsonText', ['call', 'crm.lead.list', '--params', "{'filter': 1}"]);
    await run('plannedText', ['call', 'crm.lead.delete', '--params', '{"id": 1}', '--plan-only']);
    await run('packsNone', ['call', 'user.current'], { B24_PACKS: 'none' });
    await run('planRequired', ['call', 'crm.lead.add', '--params', lead, '--confirm-write', '--json'], { B24_REQUIRE_PLAN: '1' });
    await run('planNotRequired', ['call', 'crm.lead.add', '--params', lead, '--confirm-write', '--no-require-plan', '--json'], { B24_REQUIRE_PLAN: '1' });
    await run('noDomain', ['call', 'user.current', '--json'], { B24_DOMAIN: undefined });
    await run('oauthRead', ['call', 'user.current', '--json'], {
      B24_AUTH_MODE: 'oauth',
      B24_WEBHOOK_USER_ID: undefined,
      B24_WEBHOOK_CODE: undefined,
      B24_ACCESS_TOKEN: emulator.app.accessToken,
      B24_REFRESH_TOKEN: emulator.app.refreshToken,
      B24_CLIENT_ID: emulator.app.clientId,
      B24_CLIENT_SECRET: emulator.app.clientSecret,
      B24_OAUTH_URL: `${emulator.url}/oauth/token/`,
    });
    await run('auditJson', ['audit', '--json']);
    await run('auditText', ['audit', '--since', '1h']);
    await run('auditExport', ['audit', '--export', 'jsonl']);
    await run('auditBadSince', ['audit', '--since', 'last tuesday']);
  });

  after(async () => {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits 0 for success, replay and plans, 1 for Bitrix24 errors, 2 for refusals and bad input', () => {
    const expected: Record<string, number> = {
      read: 0,
      unconfirmed: 2,
      planned: 0,
      executed: 0,
      keyed: 0,
      replayed: 0,
      failed: 1,
      partial: 1,
      badJson: 2,
      badJsonText: 2,
      plannedText: 0,
      packsNone: 2,
      planRequired: 2,
      planNotRequired: 0,
      noDomain: 2,
      oauthRead: 0,
      auditJson: 0,
      auditText: 0,
      auditExport: 0,
      auditBadSince: 2,
    };
    const actual = Object.fromEntries([...results].map(([name, result]) => [name, result.code]));
    assert.deepEqual(actual, expected, [...results].map(([name, result]) => `${name}: ${result.stderr}`).join('\n'));
  });

  it('prints one JSON document per call that matches schemas/call-result.schema.json', () => {
    const validate = callResultValidator();
    const statuses: Record<string, string> = {};
    for (const [name, result] of results) {
      if (name.startsWith('audit') || !result.stdout.startsWith('{')) continue;
      assert.deepEqual(validate(JSON.parse(result.stdout)), [], `${name}: ${result.stdout}`);
      statuses[name] = documentOf(result).status;
    }
    assert.deepEqual(statuses, {
      read: 'ok',
      unconfirmed: 'refused',
      planned: 'planned',
      executed: 'ok',
      keyed: 'ok',
      replayed: 'replayed',
      failed: 'failed',
      partial: 'partial',
      badJson: 'refused',
      planRequired: 'refused',
      planNotRequired: 'ok',
      noDomain: 'refused',
      oauthRead: 'ok',
    });
    assert.equal(documentOf(results.get('replayed') as CliResult).idempotency.replayed, true);
    assert.equal(documentOf(results.get('replayed') as CliResult).result, documentOf(results.get('keyed') as CliResult).result);
    assert.equal(documentOf(results.get('noDomain') as CliResult).errors[0]?.code, 'MISSING_SETTING');
    assert.equal(documentOf(results.get('planRequired') as CliResult).errors[0]?.code, 'PLAN_REQUIRED');
  });

  it('the command a plan prints executes it', async () => {
    const planned = documentOf(results.get('planned') as CliResult);
    assert.deepEqual(planned.plan?.argv.slice(0, 5), ['chain', 'call', '--execute-plan', planned.plan?.id, '--confirm-write']);
    assert.equal(documentOf(results.get('executed') as CliResult).status, 'ok');
    assert.equal(await countLeads(emulator, notAudited), 2, 'the planned lead and the one sent with --no-require-plan');
  });

  it('talks to a person in text: the answer on stdout, refusals with their fix on stderr', () => {
    const read = results.get('read');
    assert.ok(read);
    const plannedText = results.get('plannedText') as CliResult;
    assert.match(
      plannedText.stdout,
      /^Plan plan_\S+: crm\.lead\.delete \(destructive\) on 127\.0\.0\.1:\d+, packs core\. Runs once, until \S+Z\. Nothing was sent\.\nExecute it with:\n {2}chain call --execute-plan plan_\S+ --confirm-destructive --packs core\n$/,
    );
    const badJson = results.get('badJsonText') as CliResult;
    assert.equal(badJson.stdout, '');
    assert.equal(
      badJson.stderr,
      `chain: --params: not valid JSON at line 1, column 2 (offset 1): unexpected "'", expected a property name in double quotes (PARAMS_INVALID_JSON). Pass one JSON object, e.g. --params '{"id": 5}' (single quotes around it in a shell).\n`,
    );
    assert.match(
      (results.get('packsNone') as CliResult).stderr,
      /^chain: user\.current: user\.current is outside the selected packs \(none\) .*\(METHOD_NOT_ALLOWED\)\./,
    );
  });

  it('audits every call and refusal with parameter names, never values', () => {
    const audit = JSON.parse((results.get('auditJson') as CliResult).stdout) as {
      rows: Array<{ outcome: string; method: string; parameterNames: string[]; errorCode: string | null }>;
    };
    const outcomes = audit.rows.map((row) => `${row.method}:${row.outcome}`);
    assert.deepEqual(outcomes, [
      'user.current:ok',
      'crm.lead.add:refused',
      'crm.lead.add:ok',
      'crm.lead.add:ok',
      'crm.lead.add:replayed',
      'crm.lead.update:error',
      'batch:error',
      'crm.lead.list:refused',
      'crm.lead.list:refused',
      'user.current:refused',
      'crm.lead.add:refused',
      'crm.lead.add:ok',
      'user.current:ok',
    ]);
    assert.deepEqual(audit.rows[1]?.parameterNames, ['fields', 'fields.TITLE']);
    const exported = (results.get('auditExport') as CliResult).stdout.trim().split('\n');
    assert.equal(exported.length, audit.rows.length);
    assert.match((results.get('auditText') as CliResult).stdout, /^TIME +OUTCOME +RISK +METHOD +PORTAL +ERROR/);
    for (const name of ['auditJson', 'auditText', 'auditExport']) assert.equal((results.get(name) as CliResult).stdout.includes(notAudited), false, name);
    assert.match((results.get('auditBadSince') as CliResult).stderr, /\(SINCE_INVALID\)/);
  });

  it('no secret in stdout, stderr, the audit or any byte of the state files', () => {
    const secrets = [emulator.code, emulator.app.accessToken, emulator.app.refreshToken, emulator.app.clientSecret];
    const printed = [...results.values()].map((result) => result.stdout + result.stderr).join('\n');
    const files = readdirSync(directory).map((file) => readFileSync(join(directory, file)).toString('latin1'));
    assert.ok(files.length >= 1);
    for (const secret of secrets) {
      assert.ok(secret.length >= 8);
      for (const form of [secret, encodeURIComponent(secret)]) {
        assert.equal(printed.includes(form), false, 'printed output holds a secret');
        for (const file of files) assert.equal(file.includes(form), false, 'a state file holds a secret');
      }
    }
  });
});

describe('chain call (CLI): two processes racing the same idempotency key', () => {
  let emulator: RunningEmulator;
  let directory: string;
  before(async () => {
    emulator = await startEmulator({ seed: 'demo' });
    directory = mkdtempSync(join(tmpdir(), 'b24chain-call-race-'));
  });
  after(async () => {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('create one lead: one process sends it, the other waits and replays its answer', async () => {
    // The portal takes 1.5 s over the first create, so the second process finds the key in flight.
    await emulator.setFaults({ rules: [{ method: 'crm.lead.add', rate: 1, delayMs: 1500, times: 1 }] });
    const env = { ...webhookConnectionEnv(emulator), B24_DB: join(directory, 'state.db') };
    const args = ['call', 'crm.lead.add', '--params', '{"fields": {"TITLE": "Raced"}}', '--confirm-write', '--idempotency-key', 'race-1', '--json'];
    const [first, second] = await Promise.all([runCallCli(args, env), runCallCli(args, env)]);
    assert.ok(first && second);
    assert.deepEqual([first.code, second.code], [0, 0], first.stderr + second.stderr);
    const documents = [documentOf(first), documentOf(second)];
    assert.deepEqual(documents.map((document) => document.status).sort(), ['ok', 'replayed']);
    assert.equal(documents[0]?.result, documents[1]?.result, 'both report the same lead id');
    assert.equal(await countLeads(emulator, 'Raced'), 1);
    assert.equal((await emulator.stats()).methods['crm.lead.add'], 1);
  });
});
