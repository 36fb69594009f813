/**
 * A full scan of N tasks on REST 3.0 against v2, through B24Client, against an emulator in its own
 * process (`--tls`, empty seed; the N tasks are added first with v3 batches). v3: `tasks.task.list`
 * on `/rest/api/` paged by `["id", ">", last]` with `pagination {limit: 1000}`; v2: the client's
 * keyset list (`>ID` filter, `start: -1`, pages of 50 packed 50 to a `batch`). Prints rows per HTTP
 * request and wall time for each, plus the requests and 503s the emulator counted.
 * Run: `node --import tsx bench/v3-task-scan.ts [--rows 10000,50000] [--rate 2 --burst 50]`
 */
import { B24Client } from '../src/client/b24-client.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';
import { startTlsEmulator, type TlsEmulator } from './sdk/start-tls-emulator.ts';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const sizes = (flag('rows') ?? '10000').split(',').map(Number);
const rate = flag('rate') ?? '2';
const burst = flag('burst') ?? '50';

function clientFor(emulator: TlsEmulator, limits: { rate: string; burst: string } = { rate, burst }): B24Client {
  return new B24Client({
    connection: resolveConnection({
      options: { webhookUrl: emulator.webhookUrl },
      env: { B24_RATE_LIMITER_RATE: limits.rate, B24_RATE_LIMITER_BURST: limits.burst },
    }),
    transportOptions: { ca: emulator.ca },
  });
}

async function seedTasks(client: B24Client, count: number): Promise<void> {
  for (let done = 0; done < count; done += 50) {
    const commands: Record<string, { method: string; params: Record<string, unknown> }> = {};
    for (let index = done; index < Math.min(count, done + 50); index += 1) {
      commands[`t${index}`] = { method: 'tasks.task.add', params: { fields: { title: `Task ${index}`, creatorId: 1, responsibleId: 1 } } };
    }
    await client.batchV3(commands);
  }
}

interface ScanRow {
  version: string;
  rows: number;
  requests: number;
  rowsPerRequest: number;
  wallMs: number;
  refusals503: number;
}

async function scan(emulator: TlsEmulator, version: 2 | 3, expected: number): Promise<ScanRow> {
  const client = clientFor(emulator);
  const statsBefore = await emulator.stats();
  const select = version === 3 ? ['id', 'title', 'status'] : ['ID', 'TITLE', 'STATUS'];
  const started = performance.now();
  let rows = 0;
  for await (const page of client.list('tasks.task.list', { select }, { version })) rows += page.rows.length;
  const wallMs = Math.round(performance.now() - started);
  const requests = client.counters().requests;
  await client.close();
  const statsAfter = await emulator.stats();
  if (rows !== expected) throw new Error(`v${version}: read ${rows} of ${expected} tasks`);
  return {
    version: version === 3 ? 'v3 (/rest/api/, limit 1000, keyset on id)' : 'v2 (keyset, 50 pages per batch)',
    rows,
    requests,
    rowsPerRequest: Math.round(rows / Math.max(1, requests)),
    wallMs,
    refusals503: (statsAfter.statuses['503'] ?? 0) - (statsBefore.statuses['503'] ?? 0),
  };
}

const table: ScanRow[] = [];
for (const size of sizes) {
  const emulator = await startTlsEmulator(['--seed', 'empty', '--rate', '1000', '--burst', '1000']);
  try {
    const seeder = clientFor(emulator, { rate: '1000', burst: '1000' });
    await seedTasks(seeder, size);
    await seeder.close();
    // The scans run at the portal's limits (the emulator's bucket is wide open only for seeding; the client's limiter holds them to --rate/--burst).
    table.push(await scan(emulator, 3, size));
    table.push(await scan(emulator, 2, size));
  } finally {
    await emulator.stop();
  }
}
console.table(table);
