/** The contract of a REST 3.0 method family in the emulator (the v3 twin of `types.ts`). */
import type { AuthContext } from '../types.ts';

export interface V3Call {
  method: string;
  /** The JSON body, credentials removed. */
  query: Record<string, unknown>;
  auth: AuthContext;
  nowMs: number;
}

export interface V3MethodSpec {
  /** Lower-case method name. */
  name: string;
  scope: string;
  kind: 'read' | 'write';
  /** What `result` holds: `{item}`, `{items}` or `{result: true}`. Throws `V3Error`. */
  handler: (call: V3Call) => Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
