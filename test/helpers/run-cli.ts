/** Runs `chain` as a child process, as a user would, and captures what it printed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const binPath = fileURLToPath(new URL('../../bin/chain.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let home: string | undefined;

/**
 * A HOME of its own for the children of this test process, removed at exit: the per-user limiter and
 * tokens files (~/.local/state/b24chain/) are shared by every child here and never touch the real home.
 */
export function testHome(): string {
  if (home === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'b24chain-home-'));
    home = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return home;
}

/** The child's environment: PATH and a test HOME only, plus `env`, so no stray B24_* setting leaks in. */
function childEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: testHome(), ...env };
  return Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  onStderrLine?: (line: string, child: ChildProcess) => void,
  options: { cwd?: string } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [binPath, ...args], { env: childEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!onStderrLine) return;
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onStderrLine(line, child);
  });
  const done = new Promise<CliResult>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** `options.cwd`: the child's working directory (another "host" with no shared files). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, options: { cwd?: string } = {}): Promise<CliResult> {
  return startCli(args, env, undefined, options).done;
}

/** The environment of the seed-compatible connection to an emulator's webhook. */
export function webhookEnv(emulator: { url: string; userId: number; code: string }, database: string): Record<string, string> {
  return {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(emulator.userId),
    B24_WEBHOOK_CODE: emulator.code,
    B24_DB: database,
    B24_RATE_LIMITER: 'memory',
  };
}
