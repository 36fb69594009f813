/**
 * Reads a chain file's YAML into plain JSON plus the position of every node. Refuses, each with its
 * line and column: syntax errors, duplicate keys, tabs in indentation, several documents, and values
 * JSON cannot carry (binary, custom tags, complex keys).
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, YAMLError } from 'yaml';
import type { ChainFileProblem } from '../errors/index.ts';
import { SourceIndex, toPointer } from './source-index.ts';

export interface LoadedChainDocument {
  file: string;
  source: string;
  /** The document as JSON (undefined when it could not be read). */
  value: unknown;
  index: SourceIndex;
  problems: ChainFileProblem[];
}

/** Bounds alias expansion ("billion laughs") and nesting. */
const MAX_NODES = 200_000;
const MAX_DEPTH = 64;

const YAML_CODES: Readonly<Record<string, { code: string; hint: string }>> = {
  DUPLICATE_KEY: { code: 'YAML_DUPLICATE_KEY', hint: 'Keep one of the two entries; YAML keys must be unique.' },
  TAB_AS_INDENT: { code: 'YAML_TAB_INDENT', hint: 'Indent with spaces; YAML does not allow tabs in indentation.' },
  MULTIPLE_DOCS: { code: 'YAML_MULTI_DOCUMENT', hint: 'Put one chain per file: remove the "---" and what follows, or split the file.' },
  TAG_RESOLVE_FAILED: { code: 'YAML_UNSUPPORTED_VALUE', hint: 'Remove the tag; chain files hold plain JSON values.' },
};

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

function describeKnown(code: string | undefined, error: YAMLError, source: string): string | undefined {
  if (code === 'YAML_DUPLICATE_KEY') {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\s,{}[\]]+)/.exec(source.slice(error.pos[0]))?.[1] ?? '';
    return `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`} in this mapping`;
  }
  if (code === 'YAML_MULTI_DOCUMENT') return 'the file holds more than one YAML document';
  if (code === 'YAML_TAB_INDENT') return 'a tab is used for indentation';
  return undefined;
}

function describeYamlError(error: YAMLError, file: string, source: string, index: SourceIndex): ChainFileProblem {
  const known = YAML_CODES[error.code];
  const position = index.positionAt(error.pos[0], '');
  const detail = firstLine(error.message).replace(/\.$/, '');
  return {
    file,
    line: position.line,
    column: position.column,
    pointer: '',
    code: known?.code ?? 'YAML_SYNTAX',
    detail: describeKnown(known?.code, error, source) ?? detail,
    hint: known?.hint ?? 'Fix the YAML syntax at this position.',
  };
}

class JsonConverter {
  private nodes = 0;
  readonly problems: ChainFileProblem[] = [];

  constructor(
    private readonly document: Document,
    private readonly index: SourceIndex,
    private readonly file: string,
  ) {}

  private problem(offset: number, pointer: string, detail: string, hint: string, code = 'YAML_UNSUPPORTED_VALUE'): void {
    const position = this.index.positionAt(offset, pointer);
    this.problems.push({ file: this.file, line: position.line, column: position.column, pointer, code, detail, hint });
  }

  convert(node: unknown, segments: (string | number)[], keyStart: number | undefined, depth: number): unknown {
    const pointer = toPointer(segments);
    this.nodes += 1;
    if (this.nodes > MAX_NODES || depth > MAX_DEPTH) {
      if (this.nodes === MAX_NODES + 1 || depth === MAX_DEPTH + 1) {
        this.problem(keyStart ?? 0, pointer, 'the document is too large or too deeply nested (aliases expand)', 'Simplify the file.', 'YAML_TOO_LARGE');
      }
      return null;
    }
    if (node === null || node === undefined) {
      const at = keyStart ?? 0;
      this.index.record(pointer, { valueStart: at, valueEnd: at, ...(keyStart === undefined ? {} : { keyStart }) });
      return null;
    }
    const yamlNode = node as YamlNode;
    const [start = 0, end = start] = yamlNode.range ?? [];
    this.index.record(pointer, { valueStart: start, valueEnd: end, ...(keyStart === undefined ? {} : { keyStart }) });
    if (isAlias(yamlNode)) return this.convert(yamlNode.resolve(this.document), segments, keyStart, depth + 1);
    if (isScalar(yamlNode)) {
      const value = yamlNode.value;
      if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      this.problem(
        start,
        pointer,
        `value of type ${value instanceof Uint8Array ? 'binary' : typeof value} cannot be used in a chain`,
        'Write a string, number, boolean or null.',
      );
      return null;
    }
    if (isSeq(yamlNode)) {
      return yamlNode.items.map((item, position) => this.convert(item, [...segments, position], undefined, depth + 1));
    }
    if (isMap(yamlNode)) {
      const result: Record<string, unknown> = {};
      for (const pair of yamlNode.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')) {
          const offset = (key as YamlNode | null)?.range?.[0] ?? start;
          this.problem(offset, pointer, 'mapping key is not a plain scalar', 'Use a plain string as the key.');
          continue;
        }
        const name = String(key.value);
        const value = this.convert(pair.value, [...segments, name], key.range?.[0] ?? start, depth + 1);
        Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    this.problem(start, pointer, 'unsupported YAML node', 'Write plain mappings, sequences and scalars.');
    return null;
  }
}

/** Parses `source` (the text of `file`) and never throws: problems are returned with positions. */
export function loadChainSource(source: string, file: string): LoadedChainDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const index = new SourceIndex(source, lineCounter);
  const problems = [...document.errors, ...document.warnings].map((error) => describeYamlError(error, file, source, index));
  if (problems.length > 0) return { file, source, value: undefined, index, problems };
  const converter = new JsonConverter(document, index, file);
  const value = converter.convert(document.contents, [], undefined, 0);
  return { file, source, value, index, problems: converter.problems };
}
