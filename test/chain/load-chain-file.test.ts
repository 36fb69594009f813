import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadChainSource, loadValidChain, validateChainSource } from '../../src/chain/index.ts';
import { ChainFileError, ChainValidationError, formatChainFileProblem, isChainFileError, isChainValidationError } from '../../src/errors/chain-file-error.ts';

describe('loading YAML with positions', () => {
  const source = [
    'version: 1',
    'name: positions',
    'steps:',
    '  - id: leads',
    '    list: crm.lead.list',
    '    params:',
    '      filter: { STATUS_ID: "NEW" }',
    '',
  ].join('\n');

  it('maps JSON pointers back to the line and column of the value and of its key', () => {
    const loaded = loadChainSource(source, 'p.yml');
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(loaded.index.valuePosition('/steps/0/list'), { line: 5, column: 11, pointer: '/steps/0/list' });
    assert.deepEqual(loaded.index.keyPosition('/steps/0/list'), { line: 5, column: 5, pointer: '/steps/0/list' });
    assert.deepEqual(loaded.index.valuePosition('/steps/0/params/filter/STATUS_ID'), { line: 7, column: 28, pointer: '/steps/0/params/filter/STATUS_ID' });
    // a pointer the file does not have falls back to its nearest ancestor
    assert.equal(loaded.index.valuePosition('/steps/0/params/select').line, 7);
  });

  it('places each ${{ }} at its own column, also in quoted and folded strings', () => {
    const text = ['a: "x ${{ inputs.a }} y ${{ inputs.b }}"', 'b: >-', '  folded', '  ${{ inputs.c }}', ''].join('\n');
    const loaded = loadChainSource(text, 'e.yml');
    assert.deepEqual(loaded.index.expressionPosition('/a', 0), { line: 1, column: 7, pointer: '/a' });
    assert.deepEqual(loaded.index.expressionPosition('/a', 1), { line: 1, column: 25, pointer: '/a' });
    assert.deepEqual(loaded.index.expressionPosition('/b', 0), { line: 4, column: 3, pointer: '/b' });
  });

  it('keeps "__proto__" as an ordinary key instead of changing the prototype', () => {
    const loaded = loadChainSource('params:\n  __proto__: { polluted: true }\n', 'x.yml');
    const params = (loaded.value as { params: Record<string, unknown> }).params;
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
    assert.deepEqual(Object.keys(params), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('expands aliases but bounds their growth ("billion laughs")', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 8; level += 1)
      lines.push(
        `a${level}: &a${level} [${Array(10)
          .fill(`*a${level - 1}`)
          .join(', ')}]`,
      );
    const loaded = loadChainSource(`${lines.join('\n')}\n`, 'bomb.yml');
    assert.deepEqual(
      loaded.problems.map((problem) => problem.code),
      ['YAML_TOO_LARGE'],
    );
  });

  it('stops after YAML problems: no schema noise for a file that does not parse', () => {
    const report = validateChainSource('version: 1\nname: [unclosed\nsteps: 3\n', 'bad.yml');
    assert.ok(report.problems.length > 0);
    assert.ok(report.problems.every((problem) => problem.code.startsWith('YAML_')));
    assert.equal(report.chain, undefined);
  });
});

describe('ChainFileError and ChainValidationError', () => {
  const problem = {
    file: 'a.yml',
    line: 3,
    column: 7,
    pointer: '/steps/0/call',
    code: 'METHOD_NOT_IN_PACKS',
    detail: "method im.message.add is not in the chain's packs (core)",
    hint: 'Add "comms" to packs.',
  };

  it('formats "file:line:column: what happened (CODE). what to do"', () => {
    assert.equal(
      formatChainFileProblem(problem),
      'a.yml:3:7: method im.message.add is not in the chain\'s packs (core) (METHOD_NOT_IN_PACKS). Add "comms" to packs.',
    );
    const error = new ChainFileError(problem);
    assert.equal(error.message, formatChainFileProblem(problem));
    assert.deepEqual(
      { file: error.file, line: error.line, column: error.column, pointer: error.pointer, code: error.code },
      { file: 'a.yml', line: 3, column: 7, pointer: '/steps/0/call', code: 'METHOD_NOT_IN_PACKS' },
    );
    assert.ok(isChainFileError(error));
  });

  it('aggregates every problem, one per line, and serialises them for --json', async () => {
    const error = new ChainValidationError('a.yml', [problem, { ...problem, line: 9, code: 'WRITE_WITHOUT_KEY', detail: 'x', hint: 'y' }]);
    assert.equal(error.code, 'CHAIN_INVALID');
    assert.match(error.message, /^a\.yml: 2 problems \(CHAIN_INVALID\)\./);
    assert.match(error.message, /\n {2}a\.yml:3:7: .*\(METHOD_NOT_IN_PACKS\)/);
    assert.match(error.message, /\n {2}a\.yml:9:7: x \(WRITE_WITHOUT_KEY\)\. y$/);
    const json = JSON.parse(JSON.stringify(error)) as { problems: Array<{ line: number; code: string }> };
    assert.deepEqual(
      json.problems.map((entry) => [entry.line, entry.code]),
      [
        [3, 'METHOD_NOT_IN_PACKS'],
        [9, 'WRITE_WITHOUT_KEY'],
      ],
    );
  });

  it('loadValidChain throws the aggregate for an invalid file', async () => {
    const path = new URL('../fixtures/chains/invalid/write-without-key.yml', import.meta.url).pathname;
    await assert.rejects(loadValidChain(path), (error: unknown) => {
      assert.ok(isChainValidationError(error));
      assert.deepEqual(
        error.problems.map((entry) => [entry.line, entry.column, entry.code]),
        [[6, 5, 'WRITE_WITHOUT_KEY']],
      );
      return true;
    });
  });
});
