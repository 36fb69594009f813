/**
 * Rows per second `chain worker` drains from the offline queue at the default limit (50 rows per
 * reservation), with the bundled lead-contact-sync handler (a lead read, a contact lookup and a keyed
 * contact add per row), against the emulator in its own process.
 *
 *   node --import tsx bench/events-drain.ts [--rows 2000] [--rate 10000 --burst 10000] [--realistic]
 *
 * `--rate 2 --burst 50 --realistic` is a standard portal's budget with live-like execution times.
 */
import { bindEvents, loadHandler, runWorker } from '../src/events/index.ts';
import { openStateDatabase } from '../src/store/index.ts';
import { startEmulatorProcess, fetchStats } from '../test/helpers/emulator-process.ts';
import { addLeads, applicationClient, handlerPath } from '../test/events/helpers/events-fixture.ts';
import { B24Client } from '../src/client/index.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const rows = flag('rows', 2000);
const rate = flag('rate', 10_000);
const burst = flag('burst', 10_000);
const realistic = process.argv.includes('--realistic');

const emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', String(rate), '--burst', String(burst), ...(realistic ? ['--realistic'] : [])]);
try {
  // Set-up goes through an unthrottled helper; the worker gets a client limited like the portal.
  const setup = applicationClient(emulator);
  await bindEvents(setup.client, { events: ['ONCRMLEADADD'], offline: true });
  await setup.close();
  await addLeads(emulator, rows);
  const before = (await fetchStats(emulator.url)) as { httpRequests: number };

  const connection = resolveConnection({
    env: {
      B24_DOMAIN: emulator.url,
      B24_AUTH_MODE: 'oauth',
      B24_ACCESS_TOKEN: emulator.app.accessToken,
      B24_RATE_LIMITER: 'memory',
      B24_RATE_LIMITER_RATE: String(rate),
      B24_RATE_LIMITER_BURST: String(burst),
    },
  });
  const b24 = new B24Client({ connection });
  const database = openStateDatabase(':memory:');
  const handler = await loadHandler(handlerPath);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await runWorker({ client: b24, database, handler, once: true, confirmWrite: true });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = (await fetchStats(emulator.url)) as { httpRequests: number; statuses: Record<string, number> };
  await b24.close();
  database.close();

  const requests = after.httpRequests - before.httpRequests;
  const report = {
    rows,
    limit: 50,
    bucket: `${burst}/${rate} per s`,
    realistic,
    done: summary.done,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(summary.done / seconds),
    requests,
    requestsPer50Rows: Number(((requests / Math.max(summary.done, 1)) * 50).toFixed(1)),
    cpuMsPer1000Rows: Math.round((cpu.user + cpu.system) / 1000 / (Math.max(summary.done, 1) / 1000)),
    status503: after.statuses['503'] ?? 0,
  };
  process.stdout.write(
    `events drain: ${report.rowsPerSecond} rows/s (${report.done} rows in ${report.seconds} s, ${report.requests} requests, ${report.requestsPer50Rows} per 50 rows, ${report.cpuMsPer1000Rows} ms CPU per 1,000 rows)\n`,
  );
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await emulator.stop();
}
