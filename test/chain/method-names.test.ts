import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const warningsChain = 'test/fixtures/chains/warnings/method-verb-unknown.yml';

function chain(...args: string[]): ReturnType<typeof runCli> {
  return runCli(args.map((arg) => (arg.endsWith('.yml') ? `${root}${arg}` : arg)));
}

describe('chain validate checks method names against the catalog', () => {
  it('warns about an unknown verb with a suggestion, passes a catalog method and a pack method with a known verb, and exits 0', async () => {
    const result = await chain('validate', warningsChain);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const warnings = result.stdout.split('\n').filter((line) => line.includes('warning:'));
    assert.equal(warnings.length, 1, result.stdout);
    assert.match(
      warnings[0] ?? '',
      /method-verb-unknown\.yml:6:11: warning: method crm\.lead\.ad is not in the catalog and its verb is unknown \(METHOD_VERB_UNKNOWN\)\. Did you mean crm\.lead\.add\?/,
    );
    assert.match(result.stdout, /valid chain "method-names"/);
  });

  it('--json lists the warning apart from the problems, and the file stays valid', async () => {
    const result = await chain('validate', '--json', warningsChain);
    assert.equal(result.code, 0, result.stderr);
    const file = (
      JSON.parse(result.stdout) as { files: Array<{ valid: boolean; problems: unknown[]; warnings: Array<{ line: number; code: string; hint: string }> }> }
    ).files[0];
    assert.equal(file?.valid, true);
    assert.deepEqual(file?.problems, []);
    assert.deepEqual(
      file?.warnings.map((warning) => [warning.line, warning.code]),
      [[6, 'METHOD_VERB_UNKNOWN']],
    );
    assert.match(file?.warnings[0]?.hint ?? '', /Did you mean crm\.lead\.add\?/);
  });

  it("refuses a method that no pack covers (METHOD_UNKNOWN, exit 2), and names the pack to add for one outside the chain's packs", async () => {
    const unknown = await chain('validate', 'test/fixtures/chains/invalid/method-unknown.yml');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stdout, /method-unknown\.yml:9:11: method foo\.bar\.get is in no pack b24chain knows \(METHOD_UNKNOWN\)\. /);
    const outside = await chain('validate', 'test/fixtures/chains/invalid/method-not-in-packs.yml');
    assert.equal(outside.code, 2);
    assert.match(outside.stdout, /\(METHOD_NOT_IN_PACKS\)\. Add "comms" to "packs:"/);
  });
});

describe('the empty-file error', () => {
  it('points at an example file that exists in the repository', async () => {
    const result = await chain('validate', 'test/fixtures/chains/invalid/empty-file.yml');
    assert.equal(result.code, 2);
    const line = result.stdout.split('\n').find((text) => text.includes('(SCHEMA_TYPE)')) ?? '';
    assert.doesNotMatch(line, /DESIGN\.md/);
    const hint = line.split('(SCHEMA_TYPE). ')[1] ?? '';
    const named = /\b(chains\/\S+\.yml)/.exec(hint)?.[1];
    assert.ok(named, `no example file named in: ${line}`);
    assert.ok(existsSync(`${root}${named}`), `${named} does not exist`);
  });
});
