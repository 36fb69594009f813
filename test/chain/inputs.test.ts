import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coerceInputText, parseInputAssignments, resolveChainInputs, validateChainSource, type ChainDefinition } from '../../src/chain/index.ts';
import { formatChainFileProblem, isChainValidationError } from '../../src/errors/chain-file-error.ts';

const source = `version: 1
name: typed-inputs
inputs:
  status: { type: string, default: NEW }
  limit: { type: integer, default: 10 }
  ratio: { type: number, default: 0.5 }
  dry: { type: boolean, default: false }
  ids: { type: array, default: [] }
  extra: { type: object, default: {} }
  owner: { type: integer, description: Responsible user }
  note: { type: string, required: false }
steps:
  - id: leads
    list: crm.lead.list
    params: { filter: { STATUS_ID: "\${{ inputs.status }}", ASSIGNED_BY_ID: "\${{ inputs.owner }}" } }
`;

function chain(): ChainDefinition {
  const report = validateChainSource(source, 'typed.yml');
  assert.deepEqual(report.problems, []);
  assert.ok(report.chain);
  return report.chain;
}

function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    assert.ok(isChainValidationError(error), String(error));
    return error.problems.map(formatChainFileProblem);
  }
  assert.fail('expected a ChainValidationError');
}

describe('--input values', () => {
  it('parses name=value pairs; the value keeps any further "="', () => {
    assert.deepEqual({ ...parseInputAssignments(['status=NEW', 'filter=a=b', 'empty=']) }, { status: 'NEW', filter: 'a=b', empty: '' });
  });

  it('refuses malformed and repeated assignments, all at once', () => {
    assert.deepEqual(
      problemsOf(() => parseInputAssignments(['status', '=x', 'a=1', 'a=2'])),
      [
        '--input status: expected name=value (INPUT_MALFORMED). Write --input name=value, e.g. --input status=NEW.',
        '--input =x: expected name=value (INPUT_MALFORMED). Write --input name=value, e.g. --input status=NEW.',
        '--input a=2: input "a" is given twice (INPUT_DUPLICATE). Pass each input once.',
      ],
    );
  });

  it('coerces command-line text to the declared types and applies defaults', () => {
    const values = resolveChainInputs(chain(), { owner: '5', limit: '25', ratio: '1e2', dry: 'yes', ids: '[1,2]', extra: '{"a":true}' });
    assert.deepEqual(values, { owner: 5, limit: 25, ratio: 100, dry: true, ids: [1, 2], extra: { a: true }, status: 'NEW' });
  });

  it('accepts typed values from library callers and checks their types', () => {
    assert.deepEqual(resolveChainInputs(chain(), { owner: 3, dry: true }).dry, true);
    assert.deepEqual(
      problemsOf(() => resolveChainInputs(chain(), { owner: 3.5 })),
      ['--input owner: the value is a number, not an integer; input "owner" is declared as integer (INPUT_TYPE). Pass an integer.'],
    );
  });

  it('reports unknown, ill-typed and missing inputs together, with positions for missing ones', () => {
    assert.deepEqual(
      problemsOf(() => resolveChainInputs(chain(), { stauts: 'NEW', limit: 'ten', dry: 'maybe', ids: '{"a":1}' })),
      [
        '--input stauts: chain "typed-inputs" has no input "stauts" (INPUT_UNKNOWN). Did you mean "status"?',
        '--input limit: "ten" is not an integer; input "limit" is declared as integer (INPUT_TYPE). Pass a whole number such as 42.',
        '--input dry: "maybe" is not a boolean; input "dry" is declared as boolean (INPUT_TYPE). Pass true or false.',
        '--input ids: "{"a":1}" is a mapping, not an array; input "ids" is declared as array (INPUT_TYPE). Pass a JSON array.',
        'typed.yml:10:3: input "owner" is required and has no default (INPUT_REQUIRED). Pass --input owner=<integer> (Responsible user).',
      ],
    );
  });

  const coercions: Array<[Parameters<typeof coerceInputText>[0], string, unknown]> = [
    ['string', ' keep spaces ', ' keep spaces '],
    ['integer', '-7', -7],
    ['number', '3.25', 3.25],
    ['boolean', 'FALSE', false],
    ['boolean', '1', true],
    ['array', '["a"]', ['a']],
  ];
  for (const [type, text, expected] of coercions) {
    it(`coerces ${JSON.stringify(text)} to ${type}`, () => {
      assert.deepEqual(coerceInputText(type, text), { ok: true, value: expected });
    });
  }
  for (const [type, text] of [
    ['integer', '1.5'],
    ['integer', ''],
    ['number', 'abc'],
    ['number', ''],
    ['object', '[1]'],
    ['array', 'nope'],
  ] as const) {
    it(`refuses ${JSON.stringify(text)} as ${type}`, () => {
      assert.equal(coerceInputText(type, text).ok, false);
    });
  }
});
