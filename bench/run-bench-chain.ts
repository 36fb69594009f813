/** Runs a chain file in this process (the "runner process") against an emulator process, for benchmarks. */
import { validateChainFile } from '../src/chain/index.ts';
import { emulatorClient } from '../test/helpers/run-in-process.ts';
import { runChain, type RunOutcome } from '../src/runner/run-chain.ts';
import { RunStore } from '../src/store/index.ts';
import { openStateDatabase } from '../src/store/index.ts';
import type { EmulatorProcess } from '../test/helpers/emulator-process.ts';

export interface BenchRun {
  outcome: RunOutcome;
  wallMs: number;
  cpuMs: number;
  counters: { requests: number; commands: number; limiterWaitMs: number; retries: number };
}

export async function runBenchChain(
  emulator: EmulatorProcess,
  file: string,
  options: { concurrency?: number; rate?: number; burst?: number; onProgress?: (rows: number, done: number) => void } = {},
): Promise<BenchRun> {
  const report = await validateChainFile(file);
  if (!report.valid || !report.chain) throw new Error(`${file}: ${report.problems.map((problem) => problem.detail).join('; ')}`);
  const { client, close } = emulatorClient(emulator, { ...(options.rate ? { rate: options.rate } : {}), ...(options.burst ? { burst: options.burst } : {}) });
  const database = openStateDatabase(':memory:');
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  try {
    const outcome = await runChain({
      chain: report.chain,
      chainPath: file,
      chainSha256: report.sha256,
      summary: report.summary,
      inputs: {},
      client,
      store: new RunStore(database),
      confirmWrite: true,
      concurrency: options.concurrency ?? 4,
      onEvent: (event) => {
        if (event.type === 'progress') options.onProgress?.(event.rows, event.itemsDone);
      },
    });
    const cpu = process.cpuUsage(cpuBefore);
    return { outcome, wallMs: Date.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, counters: client.counters() };
  } finally {
    await close();
    database.close();
  }
}
