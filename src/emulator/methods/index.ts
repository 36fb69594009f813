import type { MethodSpec } from '../types.ts';

/** Every method the emulator serves, by lower-case name. Families register here. */
export function buildMethodTable(): Map<string, MethodSpec> {
  const table = new Map<string, MethodSpec>();
  const families: MethodSpec[][] = [];
  for (const family of families) for (const spec of family) table.set(spec.name, spec);
  return table;
}
