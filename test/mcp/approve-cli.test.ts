/**
 * `chain approve` / `chain reject` as a person uses them: the plan is shown and the question asked on a
 * real terminal (a pseudo-terminal from util-linux `script`); only "y" decides. Without a terminal,
 * only a typed `--yes` does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { binPath, runCli, webhookEnv } from '../helpers/run-cli.ts';

const hasScript = spawnSync('script', ['--version']).status === 0;

let emulator: EmulatorProcess;
let folder: string;

async function makePlan(database: string, title: string): Promise<string> {
  const planned = await runCli(
    ['call', 'crm.lead.add', '--params', JSON.stringify({ fields: { TITLE: title } }), '--plan-only', '--json'],
    webhookEnv(emulator, database),
  );
  assert.equal(planned.code, 0, planned.stderr);
  return (JSON.parse(planned.stdout) as { planId: string }).planId;
}

/** Runs `chain ARGS` on a pseudo-terminal, answers `answer` once the question is shown, and returns what the terminal showed. */
function onTerminal(args: string[], answer: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, binPath, ...args].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (!answered && screen.includes('[y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, screen })));
}

async function stateOf(database: string, planId: string): Promise<string> {
  const result = await runCli(['audit', '--json', '--db', database]);
  const rows = (JSON.parse(result.stdout) as { rows: Array<{ method: string; planId: string | null; via?: string }> }).rows.filter(
    (row) => row.planId === planId,
  );
  return rows.map((row) => `${row.method}${row.via ? ` via ${row.via}` : ''}`).join(', ');
}

describe('chain approve and chain reject', () => {
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'b24chain-approve-'));
    emulator = await startEmulatorProcess([]);
  });
  after(async () => {
    await emulator.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('on a terminal: shows the plan and decides only on "y"', { skip: !hasScript && 'util-linux script is not installed' }, async () => {
    const database = join(folder, 'tty.db');
    const planId = await makePlan(database, 'Terminal lead');
    const declined = await onTerminal(['approve', planId, '--db', database], 'n');
    assert.equal(declined.code, 2);
    assert.match(declined.screen, /Sends crm\.lead\.add once with \{"fields":\{"TITLE":"Terminal lead"\}\}/);
    assert.match(declined.screen, /Nothing decided/);
    assert.equal(await stateOf(database, planId), '', 'no decision recorded');

    const approved = await onTerminal(['approve', planId, '--db', database], 'y');
    assert.equal(approved.code, 0, approved.screen);
    assert.match(approved.screen, new RegExp(`Plan ${planId} approved by \\S+@\\S+`));
    assert.equal(await stateOf(database, planId), 'plan.approve via terminal');
  });

  it('without a terminal: refuses unless the person typed --yes, and names an unknown plan', async () => {
    const database = join(folder, 'pipe.db');
    const planId = await makePlan(database, 'Piped lead');
    const refused = await runCli(['reject', planId, '--db', database]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /stdin is not one; nothing was decided \(APPROVAL_NEEDS_TERMINAL\)\. Run it in a terminal, or type --yes yourself/);
    assert.equal(await stateOf(database, planId), '');
    const rejected = await runCli(['reject', planId, '--yes', '--db', database]);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.equal(await stateOf(database, planId), 'plan.reject via terminal');
    const unknown = await runCli(['approve', 'plan_nope', '--yes', '--db', database]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /plan plan_nope: no such plan in this state database \(PLAN_NOT_FOUND\)/);
  });
});
