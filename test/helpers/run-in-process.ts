/** Runs a chain file in-process against a running emulator, through the real client. */
import { B24Client } from '../../src/client/index.ts';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { validateChainFile } from '../../src/chain/index.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { runChain, type RunOptions, type RunOutcome } from '../../src/runner/run-chain.ts';
import { RunStore } from '../../src/store/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import type { PortalClient } from '../../src/client/index.ts';

/** A webhook client for an emulator; tests lift the limit (1000/s), benchmarks keep the portal's. */
export function emulatorClient(
  emulator: Pick<RunningEmulator, 'url' | 'userId' | 'code'>,
  limit: { rate?: number; burst?: number } = { rate: 1000, burst: 1000 },
): { client: PortalClient; close(): Promise<void> } {
  const connection = resolveConnection({
    env: {
      B24_DOMAIN: emulator.url,
      B24_AUTH_MODE: 'webhook',
      B24_WEBHOOK_USER_ID: String(emulator.userId),
      B24_WEBHOOK_CODE: emulator.code,
      B24_RATE_LIMITER: 'memory',
      ...(limit.rate ? { B24_RATE_LIMITER_RATE: String(limit.rate) } : {}),
      ...(limit.burst ? { B24_RATE_LIMITER_BURST: String(limit.burst) } : {}),
    },
  });
  const b24 = new B24Client({ connection });
  return { client: b24, close: () => b24.close() };
}

export async function runChainFile(
  emulator: Pick<RunningEmulator, 'url' | 'userId' | 'code'>,
  file: string,
  options: Partial<RunOptions> & { databasePath?: string } = {},
): Promise<{ outcome: RunOutcome; store: RunStore }> {
  const report = await validateChainFile(file);
  if (!report.valid || !report.chain) throw new Error(`${file} is invalid: ${report.problems.map((problem) => problem.detail).join('; ')}`);
  const database = openStateDatabase(options.databasePath ?? ':memory:');
  const store = new RunStore(database);
  const { client, close } = emulatorClient(emulator);
  try {
    const outcome = await runChain({
      chain: report.chain,
      chainPath: file,
      chainSha256: report.sha256,
      summary: report.summary,
      inputs: options.inputs ?? {},
      client,
      store,
      confirmWrite: true,
      ...options,
    });
    return { outcome, store };
  } finally {
    await close();
  }
}
