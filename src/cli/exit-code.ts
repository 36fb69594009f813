/** Exit codes of every `chain` command (DESIGN.md §1). */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** A Bitrix24 or network error the command could not get past. */
  failed: 1,
  /** Bad input or a refusal (schema, pack, scope, missing confirmation, plan mismatch). */
  refused: 2,
  /** Interrupted or waiting for a decision; resumable. */
  interrupted: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

let current: number = ExitCode.ok;

/** Commands report their outcome here; `main` returns the highest code reported. */
export function reportExitCode(code: number): void {
  current = Math.max(current, code);
}

export function takeExitCode(): number {
  const code = current;
  current = ExitCode.ok;
  return code;
}
