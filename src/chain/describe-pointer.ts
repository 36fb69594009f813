/** Human names for places in a chain document: `step "convert"`, `sub-step "deal" of "convert"`. */
import { fromPointer } from './source-index.ts';

function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const id = (value as Record<string, unknown>)['id'];
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function childOf(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) return value[Number(segment)];
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) return (value as Record<string, unknown>)[segment];
  return undefined;
}

/** The value at `pointer` in `document` (undefined when absent). */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  let current = document;
  for (const segment of fromPointer(pointer)) current = childOf(current, segment);
  return current;
}

/** The innermost step, sub-step, batch command, input or output containing `pointer`, and the field path inside it. */
export function locatePointer(document: unknown, pointer: string): { where: string; field: string } {
  const segments = fromPointer(pointer);
  let where = 'the chain';
  let entityDepth = 0;
  let current = document;
  let stepName: string | undefined;
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index] as string;
    const parentSegment = segments[index - 1];
    current = childOf(current, segment);
    let entity: string | undefined;
    if (parentSegment === 'steps' && index === 1) {
      stepName = idOf(current) ?? `#${Number(segment) + 1}`;
      entity = `step "${stepName}"`;
    } else if (parentSegment === 'do' && index === 3 && stepName !== undefined) {
      entity = `sub-step "${idOf(current) ?? `#${Number(segment) + 1}`}" of "${stepName}"`;
    } else if (parentSegment === 'batch' && index === 3 && stepName !== undefined) {
      entity = `batch command "${segment}" of "${stepName}"`;
    } else if (parentSegment === 'inputs' && index === 1) {
      entity = `input "${segment}"`;
    } else if (parentSegment === 'outputs' && index === 1) {
      entity = `output "${segment}"`;
    }
    if (entity !== undefined) {
      where = entity;
      entityDepth = index + 1;
    }
  }
  return { where, field: segments.slice(entityDepth).join('.') };
}

/** The innermost step, sub-step, batch command, input or output that contains `pointer`. */
export function describePointer(document: unknown, pointer: string): string {
  return locatePointer(document, pointer).where;
}

/** The last segment of a pointer, as written in the file (`call`, `0`). */
export function lastSegment(pointer: string): string {
  const segments = fromPointer(pointer);
  return segments[segments.length - 1] ?? '';
}

/** `a string`, `a number`, `null`... for "found ..." in messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}
