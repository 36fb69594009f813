/**
 * Full reads through B24Client against the emulator in its own process, at the portal's default limit
 * (burst 50, 2/s). Prints HTTP requests (target ≤ ceil(N/2500)+1; naive paging needs N/50), wall time,
 * 503s received (target 0), client CPU ms per 1,000 rows and the peak RSS while streaming.
 * Run: `node --import tsx bench/client-read.ts [--rows 10000,100000] [--realistic]`
 */
import { B24Client } from '../src/client/b24-client.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';
import { fetchStats, startEmulatorProcess } from '../test/helpers/emulator-process.ts';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const sizes = (flag('rows') ?? '10000,100000').split(',').map(Number);
const realistic = process.argv.includes('--realistic');

interface ReadFigures {
  rows: number;
  requests: number;
  target: number;
  naive: number;
  refusals503: number;
  wallMs: number;
  cpuMsPer1000: number;
  peakRssMb: number;
}

async function readAll(rows: number): Promise<ReadFigures> {
  const emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', String(rows), ...(realistic ? ['--realistic'] : [])]);
  const client = new B24Client({ connection: resolveConnection({ options: { webhookUrl: emulator.webhookUrl } }) });
  try {
    let peakRss = process.memoryUsage().rss;
    let read = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for await (const page of client.list('crm.lead.list', { select: ['ID', 'TITLE', 'STATUS_ID', 'ASSIGNED_BY_ID'] })) {
      read += page.rows.length;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (read !== rows) throw new Error(`read ${read} rows, expected ${rows}`);
    const stats = (await fetchStats(emulator.url)) as { httpRequests: number; statuses: Record<string, number> };
    return {
      rows,
      requests: stats.httpRequests,
      target: Math.ceil(rows / 2500) + 1,
      naive: Math.ceil(rows / 50),
      refusals503: stats.statuses['503'] ?? 0,
      wallMs: Math.round(wallMs),
      cpuMsPer1000: Math.round(((cpu.user + cpu.system) / 1000 / rows) * 1000 * 100) / 100,
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
  } finally {
    await client.close();
    await emulator.stop();
  }
}

const results: ReadFigures[] = [];
for (const rows of sizes) results.push(await readAll(rows));
console.log(`b24chain client, full read of crm.lead.list (emulator in its own process, burst 50, 2/s${realistic ? ', realistic execution times' : ''})`);
console.table(results);
console.log('@bitrix24/b24jssdk: not installed here; add it as a dev dependency to compare side by side (it needs the emulator\'s --tls).');
