/** Runs a chain file in this process (the "runner process") against an emulator process, for benchmarks. */
import { B24Client } from '../src/client/index.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';
import { validateChainFile } from '../src/chain/index.ts';
import { adaptClient } from '../src/runner/client-adapter.ts';
import { runChain, type RunOutcome } from '../src/runner/run-chain.ts';
import { RunStore } from '../src/runner/run-store.ts';
import { openStateDatabase } from '../src/store/index.ts';
import type { EmulatorProcess } from '../test/helpers/emulator-process.ts';

export interface BenchRun {
  outcome: RunOutcome;
  wallMs: number;
  cpuMs: number;
  counters: { requests: number; commands: number; limiterWaitMs: number; retries: number };
}

export async function runBenchChain(emulator: EmulatorProcess, file: string, options: { concurrency?: number; rate?: number; burst?: number; onProgress?: (rows: number, done: number) => void } = {}): Promise<BenchRun> {
  const report = await validateChainFile(file);
  if (!report.valid || !report.chain) throw new Error(`${file}: ${report.problems.map((problem) => problem.detail).join('; ')}`);
  const connection = resolveConnection({
    env: {
      B24_DOMAIN: emulator.url,
      B24_AUTH_MODE: 'webhook',
      B24_WEBHOOK_USER_ID: String(emulator.userId),
      B24_WEBHOOK_CODE: emulator.code,
      B24_RATE_LIMITER: 'memory',
      ...(options.rate ? { B24_RATE_LIMITER_RATE: String(options.rate) } : {}),
      ...(options.burst ? { B24_RATE_LIMITER_BURST: String(options.burst) } : {}),
    },
  });
  const b24 = new B24Client({ connection });
  const client = adaptClient(b24);
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
    await b24.close();
    database.close();
  }
}
