import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function chain(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/chain.js', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('chain validate', () => {
  it('prints every problem of every file, each as file:line:column: message (CODE). hint, and exits 2', () => {
    const result = chain(
      'validate',
      'test/fixtures/chains/invalid/write-without-key.yml',
      'test/fixtures/chains/invalid/input-unknown.yml',
      'chains/core/lead-to-deal.yml',
    );
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stdout.split('\n').filter((line) => /^\S+\.yml:\d+:\d+: /.test(line));
    assert.deepEqual(
      lines.map((line) => /^(\S+?):(\d+):(\d+): .*\(([A-Z_]+)\)\. \S/.exec(line)?.slice(1)),
      [
        ['test/fixtures/chains/invalid/write-without-key.yml', '6', '5', 'WRITE_WITHOUT_KEY'],
        ['test/fixtures/chains/invalid/input-unknown.yml', '9', '33', 'INPUT_UNKNOWN'],
        ['test/fixtures/chains/invalid/input-unknown.yml', '9', '73', 'INPUT_UNKNOWN'],
      ],
    );
    assert.match(result.stdout, /chains\/core\/lead-to-deal\.yml: valid chain "lead-to-deal"/);
    assert.match(result.stderr, /3 problems in 2 of 3 files\./);
  });

  it('for a valid file lists the writes, destructive steps and scopes, and exits 0', () => {
    const result = chain('validate', 'chains/core/lead-to-deal.yml', 'chains/core/lead-intake.yml');
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /writes \(need --confirm-write\):\n {4}convert > contact: crm\.contact\.add \(line \d+\)\n {4}convert > deal: crm\.deal\.add/);
    assert.match(result.stdout, /destructive: none/);
    assert.match(result.stdout, /scopes: crm/);
    assert.match(result.stdout, /lead-intake\.yml: valid chain "lead-intake"\n {2}writes \(need --confirm-write\):\n {4}create: crm\.lead\.add/);
  });

  it('--json prints one document with problems, writes, destructive steps and scopes per file', () => {
    const result = chain('validate', '--json', 'test/fixtures/chains/invalid/yaml-tab-indent.yml', 'test/fixtures/chains/valid/all-step-kinds.yml');
    assert.equal(result.status, 2);
    const document = JSON.parse(result.stdout) as { files: Array<Record<string, unknown>> };
    assert.deepEqual(document.files[0], {
      file: 'test/fixtures/chains/invalid/yaml-tab-indent.yml',
      valid: false,
      problems: [
        {
          line: 5,
          column: 1,
          code: 'YAML_TAB_INDENT',
          message: 'a tab is used for indentation',
          hint: 'Indent with spaces; YAML does not allow tabs in indentation.',
        },
      ],
      warnings: [],
      writes: [],
      destructive: [],
      scopes: [],
    });
    const valid = document.files[1] as { valid: boolean; problems: unknown[]; writes: Array<{ step: string; method: string }>; scopes: string[] };
    assert.equal(valid.valid, true);
    assert.deepEqual(valid.problems, []);
    assert.deepEqual(
      valid.writes.map((use) => `${use.step}:${use.method}`),
      ['task:tasks.task.add', 'comment:crm.timeline.comment.add', 'message:im.message.add'],
    );
    assert.deepEqual(valid.scopes, ['crm', 'im', 'task', 'user']);
  });

  it('checks --input values against the chain when given', () => {
    const result = chain('validate', 'chains/core/lead-to-deal.yml', '--input', 'stauts=NEW');
    assert.equal(result.status, 2);
    assert.match(result.stdout, /^--input stauts: chain "lead-to-deal" has no input "stauts" \(INPUT_UNKNOWN\)\. Did you mean "status"\?$/m);
  });

  it('reports a missing file as a problem, not a crash', () => {
    const result = chain('validate', 'no/such/chain.yml');
    assert.equal(result.status, 2);
    assert.match(result.stdout, /^no\/such\/chain\.yml: no such file \(CHAIN_FILE_UNREADABLE\)\./m);
  });
});
