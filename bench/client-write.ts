/**
 * Creates N leads, side by side: b24chain's B24Client batches (in this process, `--concurrency` batches
 * in flight) and the official `@bitrix24/b24jssdk` (`actions.v2.batchByChunk`, sequential batches of 50,
 * in its own process: bench/sdk/write-with-b24jssdk.ts), each against a fresh emulator in its own
 * process with `--tls`, at the portal's default limit (burst 50, 2/s); each then counts the leads with
 * one list call. Prints one table: HTTP requests, 503s received (target 0), wall time against the
 * floor the limit allows for the job (ceil(N/50)+1 requests: the burst at once, then the drain rate;
 * target within 10 %), and client CPU ms per 1,000 writes, measured in the client's own process.
 * Every run is bounded.
 * Run: `node --import tsx bench/client-write.ts [--leads 10000] [--concurrency 4] [--realistic]
 *        [--bound-seconds 360] [--clients b24chain,b24jssdk]`
 */
import { B24Client } from '../src/client/b24-client.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';
import type { BatchCommand } from '../src/protocol/encode-batch-commands.ts';
import { benchLeadFields } from './sdk/bench-lead-fields.ts';
import { cpuMsPerThousand, startProcessMeter, type SideFigures } from './sdk/process-meter.ts';
import { installedSdkVersion, runSideProcess } from './sdk/run-side-process.ts';
import { describeError } from './sdk/side-process-io.ts';
import { startTlsEmulator, type TlsEmulator } from './sdk/start-tls-emulator.ts';

type ClientName = 'b24chain' | 'b24jssdk';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const leads = Number(flag('leads') ?? 10_000);
const concurrency = Number(flag('concurrency') ?? 4);
const realistic = process.argv.includes('--realistic');
const boundMs = Number(flag('bound-seconds') ?? 360) * 1000;
const rate = 2;
const burst = 50;
const sdkVersion = installedSdkVersion();
const clients = (flag('clients') ?? 'b24chain,b24jssdk')
  .split(',')
  .filter((name): name is ClientName => name === 'b24chain' || (name === 'b24jssdk' && sdkVersion !== undefined));

async function writeWithB24chain(emulator: TlsEmulator): Promise<SideFigures> {
  const client = new B24Client({
    connection: resolveConnection({ options: { webhookUrl: emulator.webhookUrl, rate, burst } }),
    transportOptions: { ca: emulator.ca },
  });
  const chunks: Array<Record<string, BatchCommand>> = [];
  for (let start = 0; start < leads; start += 50) {
    const chunk: Record<string, BatchCommand> = {};
    for (let index = start; index < Math.min(leads, start + 50); index += 1) {
      chunk[`lead${index}`] = { method: 'crm.lead.add', params: { fields: benchLeadFields(index) } };
    }
    chunks.push(chunk);
  }
  const meter = startProcessMeter();
  const started = performance.now();
  let next = 0;
  let created = 0;
  let failures = 0;
  let stopped: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < chunks.length && stopped === undefined) {
      if (performance.now() - started > boundMs) {
        stopped = `still running at the ${boundMs / 1000} s bound`;
        return;
      }
      const chunk = chunks[next++] as Record<string, BatchCommand>;
      const result = await client.batch(chunk);
      const outcomes = Object.values(result.outcomes);
      created += outcomes.filter((outcome) => outcome.status === 'done').length;
      failures += outcomes.length - outcomes.filter((outcome) => outcome.status === 'done').length;
    }
  };
  let counted: number | undefined;
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    counted = (await client.call('crm.lead.list', { select: ['ID'], start: 0 })).total;
  } catch (error) {
    stopped = describeError(error);
  }
  const figures = meter.finish(created, {
    commandFailures: failures,
    ...(counted === undefined ? {} : { counted }),
    ...(stopped === undefined ? {} : { stopped }),
  });
  await client.close();
  return figures;
}

interface WriteRow {
  client: string;
  leads: number;
  created: number | string;
  executedAdds: number;
  commandFailures: number | string;
  requests: number;
  refusals503: number;
  wallMs: number;
  floorMs: number;
  overFloorPercent: number | string;
  cpuMsPer1000: number;
}

async function measureWrite(client: ClientName): Promise<{ row: WriteRow; stopped?: string }> {
  const emulator = await startTlsEmulator(['--seed', 'empty', '--rate', String(rate), '--burst', String(burst), ...(realistic ? ['--realistic'] : [])]);
  try {
    const figures =
      client === 'b24chain'
        ? await writeWithB24chain(emulator)
        : await runSideProcess('write-with-b24jssdk.ts', { webhookUrl: emulator.webhookUrl, certificatePath: emulator.certificatePath, count: leads, boundMs });
    const stats = await emulator.stats();
    // The floor of the job, the same for both clients: ceil(N/50) batches and one count, the burst at once, then the drain rate.
    const floorMs = (Math.max(0, Math.ceil(leads / 50) + 1 - burst) / rate) * 1000;
    const row: WriteRow = {
      client: client === 'b24chain' ? `b24chain (concurrency ${concurrency})` : `b24jssdk ${sdkVersion ?? ''}`.trim(),
      leads,
      created: figures.counted ?? '?',
      executedAdds: stats.methods['crm.lead.add'] ?? 0,
      commandFailures: figures.commandFailures ?? '?',
      requests: stats.httpRequests,
      refusals503: stats.statuses['503'] ?? 0,
      wallMs: figures.wallMs,
      floorMs: Math.round(floorMs),
      overFloorPercent: figures.stopped !== undefined ? '-' : floorMs > 0 ? Math.round(((figures.wallMs - floorMs) / floorMs) * 1000) / 10 : 0,
      // The SDK reports no progress inside batchByChunk: a run stopped at the bound is charged for the adds the portal executed.
      cpuMsPer1000: cpuMsPerThousand({ ...figures, done: figures.stopped === undefined ? figures.done : (stats.methods['crm.lead.add'] ?? 0) }),
    };
    return figures.stopped === undefined ? { row } : { row, stopped: figures.stopped };
  } finally {
    await emulator.stop();
  }
}

const rows: WriteRow[] = [];
const notes: string[] = [];
for (const client of clients) {
  process.stderr.write(`  … ${client}: creating ${leads} leads\n`);
  const measured = await measureWrite(client);
  rows.push(measured.row);
  if (measured.stopped !== undefined)
    notes.push(`${measured.row.client}: ${measured.stopped} (${measured.row.executedAdds} adds executed, ${measured.row.requests} requests).`);
}
console.log(
  `${leads} lead creates in batches of 50, side by side (emulator in its own process with --tls, fresh per run, burst ${burst}, ${rate}/s${realistic ? ', realistic execution times' : ''}; bound ${boundMs / 1000} s)`,
);
console.log(
  "b24chain: B24Client.batch in the bench process; b24jssdk: B24Hook actions.v2.batchByChunk (isHaltOnError: false) in its own process. CPU is each client's own process; wall time includes one final count.",
);
console.table(rows);
for (const note of notes) console.log(`  note: ${note}`);
if (sdkVersion === undefined) console.log('@bitrix24/b24jssdk: not installed here; `npm install` the dev dependencies to compare side by side.');
