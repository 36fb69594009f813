/**
 * Starts `chain emulator --json` in its own process (so the emulator never competes with the measured
 * client for CPU inside one event loop) and returns what it printed plus a stop function.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AppDescription, PortalDescription } from '../../src/emulator/index.ts';

export interface EmulatorProcess {
  url: string;
  webhookUrl: string;
  userId: number;
  code: string;
  app: AppDescription;
  certificatePath?: string;
  /** With `--portals N` (N ≥ 2): every portal, the root one first. */
  portals?: PortalDescription[];
  pid: number;
  stop(): Promise<void>;
}

const binPath = fileURLToPath(new URL('../../bin/chain.js', import.meta.url));

export function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [binPath, 'emulator', '--json', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before printing its URL`)));
    lines.once('line', (line) => {
      const printed = JSON.parse(line) as Omit<EmulatorProcess, 'pid' | 'stop'>;
      resolve({
        ...printed,
        pid: child.pid ?? 0,
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export async function fetchStats(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/_emulator/stats`);
  return (await response.json()) as Record<string, unknown>;
}
