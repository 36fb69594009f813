/** Every REST 3.0 method the emulator serves, by lower-case name. */
import { v3EventLogMethods } from './v3-eventlog-methods.ts';
import type { V3MethodSpec } from './v3-method.ts';
import { v3SystemMethods } from './v3-system-methods.ts';
import { v3TaskMethods } from './v3-task-methods.ts';

export function buildV3MethodTable(): Map<string, V3MethodSpec> {
  const table = new Map<string, V3MethodSpec>();
  const specs = [...v3TaskMethods(), ...v3EventLogMethods(), ...v3SystemMethods(() => table)];
  for (const spec of specs) table.set(spec.name, spec);
  return table;
}
