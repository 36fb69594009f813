/** Starts N child processes running `fixtures/child-client.ts` at once and waits for them all. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/child-client.ts', import.meta.url));

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runChildClients(argumentsList: readonly unknown[]): Promise<ChildResult[]> {
  return Promise.all(
    argumentsList.map(
      (argument) =>
        new Promise<ChildResult>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(argument)], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        }),
    ),
  );
}
