import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateChainFile, validateChainSource } from '../../src/chain/index.ts';
import { formatChainFileLocation } from '../../src/errors/chain-file-error.ts';

const fixtures = fileURLToPath(new URL('../fixtures/chains/', import.meta.url));
const chainFiles = (folder: string): string[] =>
  readdirSync(`${fixtures}${folder}`)
    .filter((name) => name.endsWith('.yml'))
    .sort();

describe('invalid chain fixtures: each yields exactly the problems in its .expected.txt', () => {
  for (const name of chainFiles('invalid')) {
    it(name, () => {
      const source = readFileSync(`${fixtures}invalid/${name}`, 'utf8');
      const expected = readFileSync(`${fixtures}invalid/${name.replace(/\.yml$/, '.expected.txt')}`, 'utf8')
        .trimEnd()
        .split('\n');
      const report = validateChainSource(source, name);
      assert.equal(report.valid, false);
      const actual = report.problems.map((problem) => `${formatChainFileLocation(problem)}: ${problem.detail} (${problem.code})`);
      assert.deepEqual(actual, expected);
      for (const problem of report.problems) assert.ok(problem.hint.length > 0, `${problem.code} has no hint`);
    });
  }

  it('covers every problem class the issue names', () => {
    const codes = new Set(
      chainFiles('invalid').flatMap((name) =>
        readFileSync(`${fixtures}invalid/${name.replace(/\.yml$/, '.expected.txt')}`, 'utf8')
          .trimEnd()
          .split('\n')
          .map((line) => /\(([A-Z_]+)\)$/.exec(line)?.[1]),
      ),
    );
    for (const code of [
      'YAML_SYNTAX',
      'YAML_DUPLICATE_KEY',
      'YAML_TAB_INDENT',
      'YAML_MULTI_DOCUMENT',
      'SCHEMA_UNKNOWN_FIELD',
      'SCHEMA_TYPE',
      'SCHEMA_REQUIRED',
      'STEP_ID_DUPLICATE',
      'STEP_REF_UNKNOWN',
      'STEP_REF_LATER',
      'INPUT_UNKNOWN',
      'METHOD_NOT_IN_PACKS',
      'WRITE_WITHOUT_KEY',
      'EXPRESSION_SYNTAX',
      'BATCH_NESTED',
      'FOR_EACH_SOURCE',
    ]) {
      assert.ok(codes.has(code), `no fixture produces ${code}`);
    }
  });
});

describe('valid chain fixtures', () => {
  for (const name of chainFiles('valid')) {
    it(`${name} validates with no problem`, async () => {
      const report = await validateChainFile(`${fixtures}valid/${name}`);
      assert.deepEqual(report.problems, []);
      assert.equal(report.valid, true);
      assert.ok(report.chain);
    });
  }
});
