/** The command that continues a run, with the flags it was started with (`--confirm-write`, `--portal`, `--db`, ...). */
import type { RunRecord } from '../store/index.ts';

function quote(argument: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function formatResumeCommand(run: Pick<RunRecord, 'id' | 'resumeFlags'>, extra: readonly string[] = []): string {
  return ['chain', 'resume', run.id, ...run.resumeFlags, ...extra].map(quote).join(' ');
}
