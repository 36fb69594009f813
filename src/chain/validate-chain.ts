/**
 * Validation of a chain file, two layers (DESIGN.md §3): YAML → JSON Schema → semantics. Each layer
 * runs only when the one before found nothing, so every problem reported is a real one; within a
 * layer every problem is reported at once, sorted by position. No request is ever sent.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ChainValidationError, type ChainFileProblem } from '../errors/index.ts';
import { buildChainModel, type RawChain } from './build-chain-model.ts';
import type { ChainDefinition, ChainSummary } from './chain-model.ts';
import { checkChainSchema } from './check-chain-schema.ts';
import { checkChainSemantics } from './check-chain-semantics.ts';
import { checkMethodNames } from './check-method-names.ts';
import { loadChainSource } from './load-chain-file.ts';
import { toPointer } from './source-index.ts';
import { summarizeChain } from './summarize-chain.ts';

export interface ValidationReport {
  file: string;
  valid: boolean;
  /** Sorted by line, then column. */
  problems: ChainFileProblem[];
  /** Printed but not failing (e.g. METHOD_VERB_UNKNOWN), sorted the same way. */
  warnings: ChainFileProblem[];
  /** SHA-256 (hex) of the file's bytes: runs and plans are tied to it. Empty when unreadable. */
  sha256: string;
  /** The model, when the document got past YAML and schema (even if semantic problems remain). */
  chain?: ChainDefinition;
  /** Writes, destructive steps and scopes (empty lists when there is no model). */
  summary: ChainSummary;
}

const EMPTY_SUMMARY: ChainSummary = { writes: [], destructive: [], scopes: [], methodsWithoutScope: [] };

function byPosition(left: ChainFileProblem, right: ChainFileProblem): number {
  return left.line - right.line || left.column - right.column || left.code.localeCompare(right.code);
}

function report(file: string, sha256: string, problems: ChainFileProblem[], chain?: ChainDefinition, warnings: ChainFileProblem[] = []): ValidationReport {
  return {
    file,
    valid: problems.length === 0,
    problems: [...problems].sort(byPosition),
    warnings: [...warnings].sort(byPosition),
    sha256,
    ...(chain ? { chain } : {}),
    summary: chain ? summarizeChain(chain) : EMPTY_SUMMARY,
  };
}

/** Validates chain text; `file` is how messages name it. */
export function validateChainSource(source: string, file: string): ValidationReport {
  const sha256 = createHash('sha256').update(source).digest('hex');
  const loaded = loadChainSource(source, file);
  if (loaded.problems.length > 0) return report(file, sha256, loaded.problems);
  const schemaProblems = checkChainSchema(loaded.value, loaded.index, file);
  if (schemaProblems.length > 0) return report(file, sha256, schemaProblems);
  const built = buildChainModel(loaded.value as RawChain, loaded.index, file);
  const semanticProblems = checkChainSemantics(built.chain, (index) => loaded.index.valuePosition(toPointer(['packs', index])));
  return report(file, sha256, [...built.problems, ...semanticProblems], built.chain, checkMethodNames(built.chain));
}

/** Reads and validates a chain file; an unreadable file is a problem too, never a throw. */
export async function validateChainFile(path: string): Promise<ValidationReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT'
        ? 'no such file'
        : error instanceof Error && 'code' in error && error.code === 'EISDIR'
          ? 'is a directory'
          : 'cannot be read';
    return report(path, '', [
      {
        file: path,
        line: 0,
        column: 0,
        pointer: '',
        code: 'CHAIN_FILE_UNREADABLE',
        detail: `${reason}`,
        hint: 'Check the path; chain files are YAML, e.g. chains/core/lead-to-deal.yml.',
      },
    ]);
  }
  const source = bytes.toString('utf8');
  const result = validateChainSource(source, path);
  return { ...result, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The chain of a valid file, or a `ChainValidationError` carrying every problem. */
export async function loadValidChain(path: string): Promise<ChainDefinition> {
  const result = await validateChainFile(path);
  if (!result.valid || !result.chain) throw new ChainValidationError(path, result.problems);
  return result.chain;
}
