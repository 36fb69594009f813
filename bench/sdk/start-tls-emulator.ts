/**
 * The emulator in its own process with `--tls` (HTTPS, a self-signed certificate made at start), plus
 * its statistics read over that same TLS: `@bitrix24/b24jssdk` builds only `https://` URLs, and both
 * clients are measured against the same kind of server.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import type { EmulatorStats } from '../../src/emulator/index.ts';
import { startEmulatorProcess, type EmulatorProcess } from '../../test/helpers/emulator-process.ts';

export interface TlsEmulator extends EmulatorProcess {
  /** Path of the PEM certificate: give it to a child as `NODE_EXTRA_CA_CERTS`. */
  certificatePath: string;
  /** The PEM itself, for an in-process client's `transportOptions.ca`. */
  ca: string;
  /** `GET /_emulator/stats` over TLS. */
  stats(): Promise<EmulatorStats>;
}

export async function startTlsEmulator(args: string[]): Promise<TlsEmulator> {
  const emulator = await startEmulatorProcess(['--tls', ...args]);
  const { certificatePath } = emulator;
  if (certificatePath === undefined) {
    await emulator.stop();
    throw new Error(
      'bench/sdk/start-tls-emulator.ts: the emulator printed no certificatePath although --tls was given (NO_CERTIFICATE). Check `chain emulator --tls --json`.',
    );
  }
  const ca = await readFile(certificatePath, 'utf8');
  const agent = new Agent({ connect: { ca } });
  return {
    ...emulator,
    certificatePath,
    ca,
    async stats() {
      const response = await request(`${emulator.url}/_emulator/stats`, { dispatcher: agent });
      return (await response.body.json()) as EmulatorStats;
    },
    async stop() {
      await agent.close();
      await emulator.stop();
    },
  };
}
