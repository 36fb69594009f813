import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { registerPacksCommands } from '../../src/cli/commands/packs.ts';
import { exitCodeReturned } from '../../src/cli/exit-code.ts';

interface Captured {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function runChain(argv: string[]): Promise<Captured> {
  const captured = { stdout: '', stderr: '' };
  const program = new Command('chain').exitOverride();
  registerPacksCommands(program, { stdout: (text) => (captured.stdout += text), stderr: (text) => (captured.stderr += text) });
  await program.parseAsync(['node', 'chain', ...argv]);
  return { ...captured, exitCode: exitCodeReturned(program) };
}

interface MethodsDocument {
  packs: string[];
  methods: Array<{ method: string; pack: string; risk: string; scope: string | null; docsUrl: string }>;
}

describe('chain methods', () => {
  it('--pack core --json lists the core catalog with risk classes, scopes and docs links', async () => {
    const result = await runChain(['methods', '--pack', 'core', '--json']);
    assert.equal(result.exitCode, 0);
    assert.equal(result.stderr, '');
    const document = JSON.parse(result.stdout) as MethodsDocument;
    assert.deepEqual(document.packs, ['core']);
    assert.ok(document.methods.every((line) => line.pack === 'core'));
    const byName = new Map(document.methods.map((line) => [line.method, line]));
    assert.equal(byName.get('crm.lead.add')?.risk, 'write');
    assert.equal(byName.get('crm.lead.list')?.risk, 'read');
    assert.equal(byName.get('event.offline.clear')?.risk, 'destructive');
    assert.equal(byName.get('tasks.task.complete')?.scope, 'task');
    assert.equal(byName.get('crm.lead.add')?.docsUrl, 'https://apidocs.bitrix24.com/api-reference/crm/leads/crm-lead-add.html');
    assert.equal(byName.has('im.message.add'), false);
  });

  it('takes the words people use for a pack', async () => {
    const document = JSON.parse((await runChain(['methods', '--pack', 'workgroups', '--json'])).stdout) as MethodsDocument;
    assert.deepEqual(document.packs, ['collab']);
    assert.ok(document.methods.some((line) => line.method === 'sonet_group.create' && line.risk === 'write'));
  });

  it('prints a readable table with R/W/D by default', async () => {
    const result = await runChain(['methods', '--pack', 'automation']);
    assert.match(result.stdout, /^automation$/m);
    assert.match(result.stdout, /^ {2}D {2}bizproc\.workflow\.kill +https:\/\/apidocs\.bitrix24\.com\/api-reference\/bizproc\/bizproc-workflow-kill\.html$/m);
    assert.match(result.stdout, /--confirm-destructive/);
  });

  it('refuses an unknown pack with exit code 2 and says which packs exist', async () => {
    const text = await runChain(['methods', '--pack', 'bogus']);
    assert.equal(text.exitCode, 2);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /^chain: packs: unknown pack "bogus" \(PACK_UNKNOWN\)\. Use one of: core, comms/);
    const json = await runChain(['methods', '--pack', 'bogus', '--json']);
    assert.equal(json.exitCode, 2);
    // The one refusal document every command prints (schemas/error.schema.json#/$defs/refusal).
    const document = JSON.parse(json.stdout) as { runId: null; status: string; exitCode: number; errors: Array<{ code: string }> };
    assert.deepEqual(
      { runId: document.runId, status: document.status, exitCode: document.exitCode, code: document.errors[0]?.code },
      { runId: null, status: 'refused', exitCode: 2, code: 'PACK_UNKNOWN' },
    );
  });
});

describe('chain packs', () => {
  it('lists every pack with patterns, scopes and vocabulary', async () => {
    const result = await runChain(['packs']);
    assert.match(result.stdout, /^core: /m);
    assert.match(result.stdout, /^ {2}methods: batch, user\.\*, department\.\*, crm\.\*, tasks\.task\.\*, task\.\*, event\.\*$/m);
    assert.match(result.stdout, /^ {2}words: .*workgroups/m);
    assert.match(result.stdout, /"none" allows no method/);
  });

  it('works from the real binary without a portal: `chain packs --json`', () => {
    const child = spawnSync(process.execPath, ['bin/chain.js', 'packs', '--json'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 20_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const document = JSON.parse(child.stdout) as {
      packs: Array<{ name: string; patterns: string[]; vocabulary: string[]; scopes: string[] }>;
      default: string[];
    };
    assert.equal(document.packs.length, 12);
    assert.deepEqual(document.default, ['core']);
    const collab = document.packs.find((pack) => pack.name === 'collab');
    assert.ok(collab?.vocabulary.includes('workgroups'));
    assert.ok(collab?.patterns.includes('sonet_group.*'));
  });
});
