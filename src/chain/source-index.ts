/**
 * Positions of every node of a loaded chain file, by JSON pointer, so that any problem found on the
 * JSON value (an ajv instancePath, a semantic check) is reported at the YAML line and column.
 */
import type { LineCounter } from 'yaml';
import type { SourcePosition } from './chain-model.ts';
import { EXPRESSION_OPEN } from './expressions/split-template.ts';

export interface NodeSpan {
  /** Offset of the value node (or of its key when the value is empty). */
  valueStart: number;
  /** Offset just past the value node. */
  valueEnd: number;
  /** Offset of the key, for mapping entries. */
  keyStart?: number;
}

/** `/steps/0/call` from path segments, with RFC 6901 escaping. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The segments of an RFC 6901 pointer. */
export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function parentPointer(pointer: string): string {
  const index = pointer.lastIndexOf('/');
  return index <= 0 ? '' : pointer.slice(0, index);
}

export class SourceIndex {
  private readonly spans = new Map<string, NodeSpan>();

  constructor(
    private readonly source: string,
    private readonly lineCounter: LineCounter,
  ) {}

  record(pointer: string, span: NodeSpan): void {
    this.spans.set(pointer, span);
  }

  /** The recorded node at `pointer`, or the nearest recorded ancestor. */
  private nearest(pointer: string): { pointer: string; span: NodeSpan | undefined } {
    let current = pointer;
    for (;;) {
      const span = this.spans.get(current);
      if (span || current === '') return { pointer: current, span };
      current = parentPointer(current);
    }
  }

  positionAt(offset: number, pointer: string): SourcePosition {
    const { line, col } = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.source.length)));
    return { line, column: col, pointer };
  }

  /** Where the value at `pointer` starts (falls back to the nearest ancestor). */
  valuePosition(pointer: string): SourcePosition {
    const { span } = this.nearest(pointer);
    return this.positionAt(span?.valueStart ?? 0, pointer);
  }

  /** Where the key of the mapping entry at `pointer` starts (the value's position when it has no key). */
  keyPosition(pointer: string): SourcePosition {
    const { span } = this.nearest(pointer);
    return this.positionAt(span?.keyStart ?? span?.valueStart ?? 0, pointer);
  }

  /**
   * Where the `occurrence`-th `${{` of the string at `pointer` starts in the file. Found in the raw
   * text of the node, so quoting and folding do not shift it; falls back to the node's start.
   */
  expressionPosition(pointer: string, occurrence: number): SourcePosition {
    const span = this.spans.get(pointer);
    if (!span) return this.valuePosition(pointer);
    const raw = this.source.slice(span.valueStart, span.valueEnd);
    let index = -1;
    for (let seen = 0; seen <= occurrence; seen += 1) {
      index = raw.indexOf(EXPRESSION_OPEN, index + 1);
      if (index < 0) return this.positionAt(span.valueStart, pointer);
    }
    return this.positionAt(span.valueStart + index, pointer);
  }
}
