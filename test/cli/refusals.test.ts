import { realpathSync } from 'node:fs';
/**
 * `chain run --json` and `chain plan --json` refusals print exactly one JSON document on stdout, the
 * refusal document of schemas/error.schema.json, whatever stopped them.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { RunStore } from '../../src/store/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { runCli, webhookEnv } from '../helpers/run-cli.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(readFileSync('schemas/error.schema.json', 'utf8')) as Record<string, unknown>);
const validateRefusal = ajv.getSchema('https://b24chain.dev/schemas/error.schema.json#/$defs/refusal');

let emulator: RunningEmulator;
let directory: string;
let env: Record<string, string>;

before(async () => {
  emulator = await startEmulator({ seed: 'demo', rate: 1000, burst: 1000 });
});
after(async () => emulator.close());
beforeEach(async () => {
  await emulator.reset();
  directory = mkdtempSync(join(tmpdir(), 'b24chain-refusals-'));
  env = webhookEnv(emulator, join(directory, 'state.db'));
});

function onlyDocument(stdout: string): { status: string; exitCode: number; errors: Array<{ code: string; message: string; hint?: string }> } {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `exactly one document expected on stdout, got:\n${stdout}`);
  const document = JSON.parse(lines[0] as string) as ReturnType<typeof onlyDocument>;
  assert.ok(validateRefusal, 'schema #/$defs/refusal');
  assert.ok(validateRefusal(document), JSON.stringify(validateRefusal.errors));
  return document;
}

function unfinishedRun(file: string): string {
  const database = openStateDatabase(env.B24_DB as string);
  try {
    const portal = resolveConnection({ env }).portalKey;
    return new RunStore(database).createRun({ portal, chainName: 'lead-to-deal', chainPath: realpathSync(file), chainSha256: 'x', inputs: {}, planId: null })
      .id;
  } finally {
    database.close();
  }
}

describe('--json refusals of chain run and chain plan: one document, valid against error.schema.json#/$defs/refusal', () => {
  const invalidChain = 'test/fixtures/chains/invalid/write-without-key.yml';
  const cases: Array<{ label: string; args: string[]; env?: (base: Record<string, string>) => Record<string, string>; code: string; exit: number }> = [
    { label: 'run: validation problems', args: ['run', invalidChain, '--json'], code: 'WRITE_WITHOUT_KEY', exit: 2 },
    { label: 'plan: validation problems', args: ['plan', invalidChain, '--json'], code: 'WRITE_WITHOUT_KEY', exit: 2 },
    { label: 'run: missing confirmation', args: ['run', 'chains/core/lead-to-deal.yml', '--json'], code: 'CONFIRMATION_REQUIRED', exit: 2 },
    { label: 'run: a bad option value', args: ['run', 'chains/core/lead-to-deal.yml', '--concurrency', '99', '--json'], code: 'USAGE_INVALID', exit: 2 },
    { label: 'plan: a bad --ttl', args: ['plan', 'chains/core/lead-to-deal.yml', '--ttl', 'soon', '--json'], code: 'OPTION_INVALID', exit: 2 },
    {
      label: 'run: no connection settings',
      args: ['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--json'],
      env: (base) => ({ B24_DB: base.B24_DB as string }),
      code: 'MISSING_SETTING',
      exit: 2,
    },
    {
      label: 'plan: bad credentials',
      args: ['plan', 'chains/core/lead-to-deal.yml', '--json'],
      env: (base) => ({ ...base, B24_WEBHOOK_CODE: 'wrongwrongwrong1' }),
      code: 'INVALID_CREDENTIALS',
      exit: 1,
    },
  ];
  for (const entry of cases) {
    it(entry.label, async () => {
      const result = await runCli(entry.args, entry.env ? entry.env(env) : env);
      assert.equal(result.code, entry.exit, result.stderr);
      const document = onlyDocument(result.stdout);
      assert.equal(document.exitCode, entry.exit);
      assert.equal(document.errors[0]?.code, entry.code, result.stdout);
      assert.doesNotMatch(result.stdout, /wrongwrongwrong1/);
    });
  }

  it('run: an unfinished run of the same chain (RUN_UNFINISHED), with the resume command in the hint', async () => {
    const runId = unfinishedRun('chains/core/lead-to-deal.yml');
    const result = await runCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--json'], env);
    assert.equal(result.code, 2, result.stderr);
    const document = onlyDocument(result.stdout);
    assert.equal(document.errors[0]?.code, 'RUN_UNFINISHED');
    assert.match(document.errors[0]?.hint ?? '', new RegExp(`chain resume ${runId}`));
  });

  it('run: bad credentials fail the scope check of a started run: one run-result document, its errors valid against error.schema.json', async () => {
    const result = await runCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--json'], { ...env, B24_WEBHOOK_CODE: 'wrongwrongwrong1' });
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, result.stdout);
    const document = JSON.parse(lines[0] as string) as { status: string; errors: Array<Record<string, unknown>> };
    assert.equal(document.status, 'failed');
    const validateError = ajv.getSchema('https://b24chain.dev/schemas/error.schema.json');
    assert.ok(validateError);
    for (const error of document.errors) assert.ok(validateError(error), JSON.stringify(validateError.errors));
    assert.equal(document.errors[0]?.code, 'INVALID_CREDENTIALS');
    assert.doesNotMatch(result.stdout, /wrongwrongwrong1/);
  });

  it('the chain file problems carry their position and the message form file:line:column: what (CODE). hint', async () => {
    const result = await runCli(['plan', invalidChain, '--json'], env);
    const error = onlyDocument(result.stdout).errors[0] as unknown as { message: string; line: number; column: number; file: string };
    assert.equal(error.file, invalidChain);
    assert.deepEqual([error.line, error.column], [6, 5]);
    assert.match(error.message, /^test\/fixtures\/chains\/invalid\/write-without-key\.yml:6:5: .+ \(WRITE_WITHOUT_KEY\)\. Add a stable item key/);
  });
});
