/**
 * Checks a chain document's shape against `schemas/chain.schema.json` (ajv, every error at once) and
 * turns each ajv error into a positioned problem with a code, in the user's words.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ChainFileProblem } from '../errors/index.ts';
import { STEP_KINDS } from './chain-model.ts';
import { describeJsonType, lastSegment, locatePointer, valueAtPointer } from './describe-pointer.ts';
import type { SourceIndex } from './source-index.ts';
import { parentPointer } from './source-index.ts';
import { suggestionHint } from './suggest-name.ts';

export const CHAIN_SCHEMA_URL = new URL('../../schemas/chain.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** The parsed JSON Schema of chain files. */
export function readChainSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(CHAIN_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

function chainValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(readChainSchema());
  return compiled;
}

/** What each pattern of the schema means, for messages. */
const PATTERN_MEANINGS: ReadonlyArray<[RegExp, string, string]> = [
  [
    /^\^\[A-Za-z_\]\[A-Za-z0-9_\]\*\$$/,
    'is not a name made of letters, digits and "_" (not starting with a digit)',
    'Rename it, e.g. "lead_contacts"; names are used in expressions such as "steps.<id>".',
  ],
  [/^\^\[A-Za-z\]\[A-Za-z0-9_\]\*/, 'is not a method name', 'Write a Bitrix24 method such as "crm.lead.list".'],
  [/\\\$\\\{\\\{/, 'is not exactly one "${{ }}" expression', 'Write one expression, e.g. "${{ steps.leads.items }}".'],
  [/^\^\[a-z0-9\]/, 'is not a lowercase name (letters, digits, ".", "_", "-")', 'Use a name such as "lead-to-deal".'],
  [/^\^\[a-z\]/, 'is not a pack name', 'Use a pack from packs.md, e.g. "core".'],
];

function typeWords(expected: unknown): string {
  const types = Array.isArray(expected) ? expected.map(String) : String(expected).split(',');
  const words = types.map((type) => ({ object: 'a mapping', array: 'a list', integer: 'an integer', null: 'null' })[type] ?? `a ${type}`);
  return words.join(' or ');
}

function stepKindOf(step: unknown): string | undefined {
  if (typeof step !== 'object' || step === null) return undefined;
  return STEP_KINDS.find((kind) => Object.hasOwn(step, kind));
}

function knownProperties(parentSchema: unknown): string[] {
  if (typeof parentSchema !== 'object' || parentSchema === null) return [];
  const properties = (parentSchema as { properties?: unknown }).properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties).filter((name) => name !== '$schema') : [];
}

interface Draft {
  pointer: string;
  atKey: boolean;
  code: string;
  detail: string;
  hint: string;
}

function draftProblem(error: ErrorObject, document: unknown): Draft | undefined {
  const pointer = error.instancePath;
  const { where, field } = locatePointer(document, pointer);
  const ofWhere = where === 'the chain' ? '' : ` of ${where}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const known = knownProperties(error.parentSchema);
      return {
        pointer: `${pointer}/${name}`,
        atKey: true,
        code: 'SCHEMA_UNKNOWN_FIELD',
        detail: `unknown field "${name}" in ${where}`,
        hint: suggestionHint(name, known, 'fields'),
      };
    }
    case 'required': {
      const name = String(params['missingProperty']);
      const kind = stepKindOf(valueAtPointer(document, pointer));
      const kindHint =
        kind === 'for_each' ? ' A for_each step needs "for_each", "as" and "do".' : kind === 'assert' ? ' An assert step needs "assert" and "message".' : '';
      return { pointer, atKey: false, code: 'SCHEMA_REQUIRED', detail: `${where} is missing the required field "${name}"`, hint: `Add "${name}".${kindHint}` };
    }
    case 'oneOf': {
      const step = valueAtPointer(document, pointer);
      const kinds = typeof step === 'object' && step !== null ? STEP_KINDS.filter((kind) => Object.hasOwn(step, kind)) : [];
      const list = STEP_KINDS.join(', ');
      if (kinds.length === 0) return { pointer, atKey: false, code: 'STEP_KIND', detail: `${where} has no kind`, hint: `Give it exactly one of: ${list}.` };
      return {
        pointer,
        atKey: false,
        code: 'STEP_KIND',
        detail: `${where} has several kinds (${kinds.join(', ')})`,
        hint: `Keep exactly one of: ${list}; split it into several steps.`,
      };
    }
    case 'enum': {
      if (error.propertyName !== undefined) {
        const kind = stepKindOf(valueAtPointer(document, pointer));
        const allowed = (params['allowedValues'] as unknown[]).map(String);
        return {
          pointer: `${pointer}/${error.propertyName}`,
          atKey: true,
          code: 'SCHEMA_UNKNOWN_FIELD',
          detail: `field "${error.propertyName}" does not belong in ${where}${kind ? ` (${kind === 'assert' ? 'an' : 'a'} ${kind} step)` : ''}`,
          hint: `${kind === 'assert' ? 'An' : 'A'} ${kind ?? 'step'} step takes: ${allowed.join(', ')}.`,
        };
      }
      const allowed = (params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value));
      return {
        pointer,
        atKey: false,
        code: 'SCHEMA_VALUE',
        detail: `"${field}"${ofWhere} must be one of ${allowed.join(', ')}, found ${JSON.stringify(error.data)}`,
        hint: `Use one of ${allowed.join(', ')}.`,
      };
    }
    case 'const':
      return {
        pointer,
        atKey: false,
        code: 'SCHEMA_VALUE',
        detail: `"${field}" must be ${JSON.stringify(params['allowedValue'])}, found ${JSON.stringify(error.data)}`,
        hint: `Write ${field}: ${JSON.stringify(params['allowedValue'])}.`,
      };
    case 'type':
      return {
        pointer,
        atKey: false,
        code: 'SCHEMA_TYPE',
        detail:
          pointer === ''
            ? `the chain file must be a mapping, found ${describeJsonType(error.data)}`
            : `"${field}"${ofWhere} must be ${typeWords(params['type'])}, found ${describeJsonType(error.data)}`,
        hint:
          pointer === ''
            ? 'Start from a bundled chain such as chains/core/lead-intake.yml (version, name, steps); the README\'s "Chain files" section explains each field.'
            : `Write ${typeWords(params['type'])} here.`,
      };
    case 'pattern': {
      const pattern = String(params['pattern']);
      const meaning = PATTERN_MEANINGS.find(([matcher]) => matcher.test(pattern));
      const isName = error.propertyName !== undefined;
      const owner = { '/inputs': 'input name', '/outputs': 'output name' }[pointer] ?? (pointer.endsWith('/batch') ? 'batch command name' : 'name');
      const subject = isName ? `${owner} "${error.propertyName}"` : `${field} ${JSON.stringify(error.data)}${field === 'id' ? '' : ofWhere}`;
      return {
        pointer: isName ? `${pointer}/${error.propertyName}` : pointer,
        atKey: isName,
        code: 'SCHEMA_PATTERN',
        detail: `${subject} ${meaning?.[1] ?? `does not match ${pattern}`}`,
        hint: meaning?.[2] ?? 'Fix the value.',
      };
    }
    case 'propertyNames':
    case 'if':
      return undefined;
    default:
      return {
        pointer,
        atKey: false,
        code: 'SCHEMA_VALUE',
        detail: `"${field || 'document'}"${ofWhere} ${error.message ?? 'is invalid'}`,
        hint: 'Fix the value.',
      };
  }
}

/** Every schema problem of `document`, positioned through `index`. */
export function checkChainSchema(document: unknown, index: SourceIndex, file: string): ChainFileProblem[] {
  const validate = chainValidator();
  if (validate(document)) return [];
  const errors = (validate.errors ?? []).filter((error) => !error.schemaPath.includes('/oneOf/'));
  const drafts = errors.map((error) => draftProblem(error, document)).filter((draft): draft is Draft => draft !== undefined);
  const unknownFields = new Set(
    drafts.filter((draft) => draft.code === 'SCHEMA_UNKNOWN_FIELD' && draft.detail.startsWith('unknown')).map((draft) => draft.pointer),
  );
  const ambiguousSteps = new Set(drafts.filter((draft) => draft.code === 'STEP_KIND').map((draft) => draft.pointer));
  const seen = new Set<string>();
  const problems: ChainFileProblem[] = [];
  for (const draft of drafts) {
    const isKindFieldConflict =
      draft.atKey &&
      draft.detail.startsWith('field') &&
      (unknownFields.has(draft.pointer) ||
        (ambiguousSteps.has(parentPointer(draft.pointer)) && (STEP_KINDS as readonly string[]).includes(lastSegment(draft.pointer))));
    if (isKindFieldConflict) continue;
    const identity = `${draft.pointer}|${draft.code}|${draft.detail}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const position = draft.atKey ? index.keyPosition(draft.pointer) : index.valuePosition(draft.pointer);
    problems.push({ file, line: position.line, column: position.column, pointer: draft.pointer, code: draft.code, detail: draft.detail, hint: draft.hint });
  }
  return problems;
}
