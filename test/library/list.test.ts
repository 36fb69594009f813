/** `chain list` through the real CLI, from a directory that is not the package root. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { binPath } from '../helpers/run-cli.ts';

function runList(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [binPath, 'list', ...args], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

interface Listed {
  pack: string;
  name: string;
  file: string;
  description: string;
  handler: boolean;
  writes: boolean;
  destroys: boolean;
  scopes: string[];
  valid: boolean;
}

describe('chain list', () => {
  it('--json lists every bundled chain by pack, valid, with its effects and scopes, whatever the cwd', async () => {
    const { code, stdout, stderr } = await runList(['--json']);
    assert.equal(code, 0, stderr);
    const { chains } = JSON.parse(stdout) as { chains: Listed[] };
    const byFile = new Map(chains.map((chain) => [chain.file, chain]));
    const expected: Array<[string, string, boolean, boolean, string[]]> = [
      ['chains/core/deal-task-assignment.yml', 'core', true, false, ['crm', 'task']],
      ['chains/core/event-bootstrap.yml', 'core', true, true, ['basic']],
      ['chains/commerce/order-to-payment.yml', 'commerce', true, false, ['sale']],
      ['chains/commerce/product-price-sync.yml', 'commerce', true, false, ['catalog']],
      ['chains/services/workday.yml', 'services', true, false, ['timeman']],
      ['chains/platform/ai-engine.yml', 'platform', true, true, ['ai_admin']],
      ['chains/sites/site-cleanup.yml', 'sites', false, true, ['landing']],
      ['chains/compliance/signed-docs-tail.yml', 'compliance', true, false, ['entity', 'sign.b2e']],
    ];
    for (const [file, pack, writes, destroys, scopes] of expected) {
      const chain = byFile.get(file);
      assert.ok(chain, `${file} is listed`);
      assert.deepEqual([chain.pack, chain.writes, chain.destroys, chain.scopes], [pack, writes, destroys, scopes], file);
      assert.ok(chain.description.length > 0, `${file} has a description`);
    }
    assert.equal(byFile.get('chains/core/handlers/lead-contact-sync.yml')?.handler, true);
    assert.deepEqual(
      chains.filter((chain) => !chain.valid).map((chain) => chain.file),
      [],
      'every bundled chain validates',
    );
    const packs = chains.map((chain) => chain.pack);
    assert.deepEqual(packs, [...packs].sort(), 'grouped by pack');
  });

  it('prints a block per pack, each chain with what it writes or destroys and its scopes', async () => {
    const { code, stdout } = await runList([]);
    assert.equal(code, 0);
    assert.match(stdout, /^commerce$/m);
    assert.match(stdout, /^ {2}site-cleanup +destroys +landing +Delete named unpublished pages/m);
    assert.match(stdout, /^ {2}event-bootstrap +writes, destroys +basic /m);
    assert.match(stdout, /^ {2}lead-contact-sync \(handler\) +writes +crm /m);
  });
});
