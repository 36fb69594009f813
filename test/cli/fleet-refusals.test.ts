/**
 * Fleet commands refuse bad input before they touch the queue, with one refusal document on stdout
 * under --json (schemas/error.schema.json#/$defs/refusal). No Redis is needed: each case stops before
 * connecting (or, for FLEET_REDIS_UNAVAILABLE, connects to a closed port).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCli } from '../helpers/run-cli.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(readFileSync('schemas/error.schema.json', 'utf8')) as Record<string, unknown>);
const validateRefusal = ajv.getSchema('https://b24chain.dev/schemas/error.schema.json#/$defs/refusal');

const CHAIN = 'chains/core/lead-to-deal.yml';
/** Nothing listens there: a command that reached the connection would fail with FLEET_REDIS_UNAVAILABLE. */
const CLOSED_REDIS = 'redis://127.0.0.1:1';

describe('fleet refusals: nothing is enqueued on bad input', () => {
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-fleet-refusals-'));
  const portalsFile = join(directory, 'portals.yml');
  const readable = join(directory, 'readable.yml');
  const shapeless = join(directory, 'shapeless.json');
  const profile = { domain: 'http://127.0.0.1:9', authMode: 'webhook', webhookUserId: 1, webhookCode: 'secretcode123' };

  before(() => {
    writeFileSync(
      portalsFile,
      `portals:\n  one: ${JSON.stringify(profile)}\n  nodomain: { authMode: webhook, webhookUserId: 1, webhookCode: othersecret99 }\n`,
      { mode: 0o600 },
    );
    writeFileSync(readable, `portals:\n  one: ${JSON.stringify(profile)}\n`);
    chmodSync(readable, 0o644);
    writeFileSync(shapeless, '{"one": {}}', { mode: 0o600 });
  });

  const fleet = (extra: string[]) => ['run', CHAIN, '--confirm-write', '--json', '--portals-file', portalsFile, ...extra];
  const cases: Array<{ label: string; args: string[]; env?: Record<string, string>; code: string; exit: number; message?: RegExp }> = [
    { label: 'run --portals without B24_REDIS_URL', args: fleet(['--portals', 'one']), env: {}, code: 'FLEET_REDIS_MISSING', exit: 2 },
    { label: 'fleet worker without B24_REDIS_URL', args: ['fleet', 'worker', '--json'], env: {}, code: 'FLEET_REDIS_MISSING', exit: 2 },
    { label: 'status --fleet without B24_REDIS_URL', args: ['status', '--fleet', '--json'], env: {}, code: 'FLEET_REDIS_MISSING', exit: 2 },
    { label: 'an unknown profile', args: fleet(['--portals', 'one,two']), code: 'UNKNOWN_PROFILE', exit: 2, message: /profile "two"/ },
    { label: 'a portal named twice', args: fleet(['--portals', 'one,one']), code: 'PORTAL_NAME_INVALID', exit: 2 },
    { label: 'a portal name with a colon', args: fleet(['--portals', 'a:b']), code: 'PORTAL_NAME_INVALID', exit: 2 },
    { label: '--portals with --portal', args: fleet(['--portals', 'one', '--portal', 'one']), code: 'FLEET_OPTION_CONFLICT', exit: 2 },
    { label: '--portals with --emulator', args: fleet(['--portals', 'one', '--emulator']), code: 'FLEET_OPTION_CONFLICT', exit: 2 },
    {
      label: 'a profile without domain, even with B24_DOMAIN set',
      args: fleet(['--portals', 'one,nodomain']),
      env: { B24_REDIS_URL: CLOSED_REDIS, B24_DOMAIN: 'http://127.0.0.1:9' },
      code: 'MISSING_SETTING',
      exit: 2,
      message: /B24_DOMAIN/,
    },
    {
      label: 'a portals file others may read',
      args: ['run', CHAIN, '--confirm-write', '--json', '--portals-file', readable, '--portals', 'one'],
      code: 'CREDENTIALS_FILE_PERMISSIONS',
      exit: 2,
    },
    {
      label: 'a portals file without "portals"',
      args: ['run', CHAIN, '--confirm-write', '--json', '--portals-file', shapeless, '--portals', 'one'],
      code: 'PORTALS_FILE_INVALID',
      exit: 2,
    },
    {
      label: 'writes without --confirm-write',
      args: ['run', CHAIN, '--json', '--portals-file', portalsFile, '--portals', 'one'],
      code: 'CONFIRMATION_REQUIRED',
      exit: 2,
    },
    { label: 'Redis not answering, after every check passed', args: fleet(['--portals', 'one']), code: 'FLEET_REDIS_UNAVAILABLE', exit: 1 },
  ];

  for (const entry of cases) {
    it(`${entry.label}: ${entry.code}, exit ${entry.exit}`, async () => {
      const result = await runCli(entry.args, { B24_DB: join(directory, 'state.db'), ...(entry.env ?? { B24_REDIS_URL: CLOSED_REDIS }) });
      assert.equal(result.code, entry.exit, `${result.stdout}\n${result.stderr}`);
      const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, `one document on stdout:\n${result.stdout}`);
      const document = JSON.parse(lines[0] as string) as { errors: Array<{ code: string; message: string }> };
      assert.ok(validateRefusal?.(document), JSON.stringify(validateRefusal?.errors));
      assert.equal(document.errors[0]?.code, entry.code, document.errors[0]?.message);
      if (entry.message) assert.match(document.errors[0]?.message ?? '', entry.message);
      assert.ok(!result.stdout.includes('secretcode123') && !result.stderr.includes('secretcode123'), 'no webhook code printed');
    });
  }
});
