/**
 * Full reads of N leads, side by side: b24chain's B24Client (in this process) and the official
 * `@bitrix24/b24jssdk` (`actions.v2.fetchList`, in its own process: bench/sdk/read-with-b24jssdk.ts),
 * each against a fresh emulator in its own process with `--tls`, at the portal's default limit (burst
 * 50, 2/s). Prints one table: HTTP requests (b24chain's target ≤ ceil(N/2500)+1; naive paging needs
 * N/50), 503s received (target 0), wall time, client CPU ms per 1,000 rows and the RSS before and at
 * its peak while streaming, each measured in the client's own process. Every run is bounded: a client
 * still reading at the bound is stopped and reported with the rows it had read.
 * Run: `node --import tsx bench/client-read.ts [--rows 10000,100000] [--realistic] [--bound-seconds 360]
 *        [--clients b24chain,b24jssdk]`
 */
import { B24Client } from '../src/client/b24-client.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';
import { cpuMsPerThousand, startProcessMeter, type SideFigures } from './sdk/process-meter.ts';
import { installedSdkVersion, runSideProcess } from './sdk/run-side-process.ts';
import { describeError } from './sdk/side-process-io.ts';
import { startTlsEmulator, type TlsEmulator } from './sdk/start-tls-emulator.ts';

type ClientName = 'b24chain' | 'b24jssdk';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const sizes = (flag('rows') ?? '10000,100000').split(',').map(Number);
const realistic = process.argv.includes('--realistic');
const boundMs = Number(flag('bound-seconds') ?? 360) * 1000;
const sdkVersion = installedSdkVersion();
const clients = (flag('clients') ?? 'b24chain,b24jssdk')
  .split(',')
  .filter((name): name is ClientName => name === 'b24chain' || (name === 'b24jssdk' && sdkVersion !== undefined));
const select = ['ID', 'TITLE', 'STATUS_ID', 'ASSIGNED_BY_ID'];

async function readWithB24chain(emulator: TlsEmulator, rows: number): Promise<SideFigures> {
  const client = new B24Client({ connection: resolveConnection({ options: { webhookUrl: emulator.webhookUrl } }), transportOptions: { ca: emulator.ca } });
  const meter = startProcessMeter();
  const started = performance.now();
  let read = 0;
  let stopped: string | undefined;
  try {
    for await (const page of client.list('crm.lead.list', { select })) {
      read += page.rows.length;
      meter.sample();
      if (performance.now() - started > boundMs) {
        stopped = `still running at the ${boundMs / 1000} s bound`;
        break;
      }
    }
  } catch (error) {
    stopped = describeError(error);
  }
  if (stopped === undefined && read !== rows) stopped = `the list ended after ${read} of ${rows} rows`;
  const figures = meter.finish(read, stopped === undefined ? {} : { stopped });
  await client.close();
  return figures;
}

interface ReadRow {
  client: string;
  rows: number;
  read: number;
  requests: number;
  target: number;
  naive: number;
  refusals503: number;
  wallMs: number;
  cpuMsPer1000: number;
  baselineRssMb: number;
  peakRssMb: number;
}

async function measureRead(client: ClientName, rows: number): Promise<{ row: ReadRow; stopped?: string }> {
  const emulator = await startTlsEmulator(['--seed', 'empty', '--leads', String(rows), ...(realistic ? ['--realistic'] : [])]);
  try {
    const figures =
      client === 'b24chain'
        ? await readWithB24chain(emulator, rows)
        : await runSideProcess('read-with-b24jssdk.ts', { webhookUrl: emulator.webhookUrl, certificatePath: emulator.certificatePath, count: rows, boundMs });
    const stats = await emulator.stats();
    const row: ReadRow = {
      client: client === 'b24chain' ? 'b24chain' : `b24jssdk ${sdkVersion ?? ''}`.trim(),
      rows,
      read: figures.done,
      requests: stats.httpRequests,
      target: Math.ceil(rows / 2500) + 1,
      naive: Math.ceil(rows / 50),
      refusals503: stats.statuses['503'] ?? 0,
      wallMs: figures.wallMs,
      cpuMsPer1000: cpuMsPerThousand(figures),
      baselineRssMb: figures.baselineRssMb,
      peakRssMb: figures.peakRssMb,
    };
    return figures.stopped === undefined ? { row } : { row, stopped: figures.stopped };
  } finally {
    await emulator.stop();
  }
}

const rows: ReadRow[] = [];
const notes: string[] = [];
for (const size of sizes) {
  for (const client of clients) {
    process.stderr.write(`  … ${client}: reading ${size} leads\n`);
    const measured = await measureRead(client, size);
    rows.push(measured.row);
    if (measured.stopped !== undefined)
      notes.push(`${measured.row.client}, ${size} rows: ${measured.stopped} (${measured.row.read} rows read, ${measured.row.requests} requests).`);
  }
}
console.log(
  `Full read of crm.lead.list, side by side (emulator in its own process with --tls, fresh per run, burst 50, 2/s${realistic ? ', realistic execution times' : ''}; bound ${boundMs / 1000} s)`,
);
console.log(
  "b24chain: B24Client.list in the bench process; b24jssdk: B24Hook actions.v2.fetchList in its own process. CPU and RSS are each client's own process.",
);
console.table(rows);
for (const note of notes) console.log(`  note: ${note}`);
if (sdkVersion === undefined) console.log('@bitrix24/b24jssdk: not installed here; `npm install` the dev dependencies to compare side by side.');
