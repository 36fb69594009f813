/** Rough edges of the CLI: clear errors instead of stack traces, bad option values refused, hints once, honest plan output. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/run-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'b24chain-edges-'));
const stackLine = /^\s+at .+[:(]\d+/m;

function assertNoStack(text: string): void {
  assert.doesNotMatch(text, stackLine, `a stack trace was printed:\n${text}`);
  assert.doesNotMatch(text, /unexpected error|Unhandled/i, text);
}

describe('no raw stack trace: a clear error and exit 2', () => {
  let server: Server;
  let takenPort = 0;
  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    takenPort = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: Array<[label: string, args: () => string[], message: RegExp]> = [
    [
      'emulator --port abc',
      () => ['emulator', '--port', 'abc'],
      /^chain: --port: "abc" is not a whole number from 0 to 65535 \(OPTION_INVALID\)\. Give e\.g\. --port \d+\.$/m,
    ],
    ['emulator --port 70000', () => ['emulator', '--port', '70000'], /--port: "70000" is not a whole number from 0 to 65535 \(OPTION_INVALID\)/],
    ['emulator --burst 1.5', () => ['emulator', '--burst', '1.5'], /--burst: "1\.5" is not a whole number/],
    [
      'emulator --seed unknown',
      () => ['emulator', '--seed', 'unknown'],
      /^chain: --seed: "unknown" is not one of demo, empty \(OPTION_INVALID\)\. Give e\.g\. --seed demo\.$/m,
    ],
    [
      'emulator on a port in use',
      () => ['emulator', '--port', String(takenPort)],
      /^chain: --port \d+: 127\.0\.0\.1:\d+ is already in use \(PORT_IN_USE\)\. /m,
    ],
  ];
  for (const [label, args, message] of cases) {
    it(label, async () => {
      const result = await runCli(args());
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assertNoStack(result.stderr);
    });
  }

  it('a state database that is not one (garbage at --db): STATE_DB_OPEN, exit 2, for status, audit and call', async () => {
    const garbage = join(directory, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(4096, 0x5a));
    for (const args of [['status'], ['audit'], ['call', 'user.current']]) {
      const result = await runCli([...args, '--db', garbage], {
        B24_DOMAIN: 'http://127.0.0.1:9',
        B24_AUTH_MODE: 'webhook',
        B24_WEBHOOK_USER_ID: '1',
        B24_WEBHOOK_CODE: 'abcdefgh12345678',
      });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /garbage\.db: cannot open the state database: file is not a database \(STATE_DB_OPEN\)\. /);
      assertNoStack(result.stderr);
    }
  });

  it('a closed stdout pipe (chain methods | head -1) ends quietly with exit 0', async () => {
    const { child, done } = startCli(['methods']);
    child.stdout?.destroy(); // the reader is gone before the command writes a byte
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /EPIPE/);
    assertNoStack(result.stderr);
  });
});

describe('bad option values are refused with exit 2, naming the value, never replaced by a default', () => {
  const database = join(directory, 'options.db');
  const cases: Array<[args: string[], message: RegExp]> = [
    [['plan', 'chains/core/lead-to-deal.yml', '--ttl', 'abc'], /--ttl: "abc" is not a whole number of minutes from 1 to 10080 \(OPTION_INVALID\)/],
    [['plan', 'chains/core/lead-to-deal.yml', '--ttl', '0'], /--ttl: "0" is not/],
    [['status', '--limit', 'ten', '--db', database], /--limit: "ten" is not a whole number of at least 1 \(OPTION_INVALID\)/],
    [['audit', '--limit', '-5', '--db', database], /--limit: "-5" is not a positive whole number \(LIMIT_INVALID\)/],
    [['call', 'user.current', '--params', '', '--db', database], /--params: "" is empty \(PARAMS_EMPTY\)\. .*leave --params out/],
  ];
  for (const [args, message] of cases) {
    it(args.slice(0, 4).join(' '), async () => {
      const result = await runCli(args, {
        B24_DOMAIN: 'http://127.0.0.1:9',
        B24_AUTH_MODE: 'webhook',
        B24_WEBHOOK_USER_ID: '1',
        B24_WEBHOOK_CODE: 'abcdefgh12345678',
      });
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
    });
  }
});

describe('run and plan output', () => {
  it("prints a failed run's hint once", async () => {
    const chainFile = join(directory, 'not-found.yml');
    writeFileSync(chainFile, 'version: 1\nname: not-found\npacks: [core]\nsteps:\n  - id: probe\n    call: crm.lead.get\n    params: { id: 999999 }\n');
    const result = await runCli(['run', chainFile, '--emulator', '--db', join(directory, 'hint.db')]);
    assert.equal(result.code, 1, result.stderr);
    const errorLine = result.stdout.split('\n').find((line) => line.includes('crm.lead.get:')) ?? '';
    assert.match(errorLine, /Not found/);
    const sentences = errorLine
      .split(/(?<=\.) /)
      .map((sentence) => sentence.trim())
      .filter((sentence) => sentence !== '');
    assert.equal(new Set(sentences).size, sentences.length, `a sentence is repeated: ${errorLine}`);
  });

  it('plan --emulator prints no execute command (that emulator is gone) and says why', async () => {
    const database = join(directory, 'plan.db');
    const text = await runCli(['plan', 'chains/core/lead-to-deal.yml', '--emulator', '--db', database]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Plan plan_\S+ for lead-to-deal/m);
    assert.doesNotMatch(text.stdout, /chain run .*--plan/);
    assert.match(text.stdout, /in-process emulator .* no later run can execute it/);
    const json = await runCli(['plan', 'chains/core/lead-to-deal.yml', '--emulator', '--json', '--db', database]);
    const document = JSON.parse(json.stdout) as { planId: string; command: string | null; notice?: string };
    assert.match(document.planId, /^plan_/);
    assert.equal(document.command, null);
    assert.match(document.notice ?? '', /no later run can execute it/);
    assert.ok(existsSync(database));
  });
});
