/** Runs `chain` (bin/chain.js) as a child process with a clean environment and captures what it printed. */
import { spawn } from 'node:child_process';
import { binPath, type CliResult } from '../../helpers/run-cli.ts';



/** The environment the child gets: the parent's PATH and HOME only, plus `env`, so no stray B24_* leaks in. */
function childEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function runCallCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const child = spawn(process.execPath, [binPath, ...args], { env: childEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
