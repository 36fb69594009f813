/**
 * Creates N leads through B24Client batches against the emulator in its own process, at the portal's
 * default limit (burst 50, 2/s), then checks the count. Prints HTTP requests, 503s received (target 0),
 * wall time against the floor the limit allows (burst at once, then the drain rate; target within
 * 10 %), and client CPU ms per 1,000 writes.
 * Run: `node --import tsx bench/client-write.ts [--leads 10000] [--concurrency 4] [--realistic]`
 */
import { B24Client } from '../src/client/b24-client.ts';
import { resolveConnection } from '../src/client/resolve-connection.ts';
import type { BatchCommand } from '../src/protocol/encode-batch-commands.ts';
import { fetchStats, startEmulatorProcess } from '../test/helpers/emulator-process.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const leads = flag('leads', 10_000);
const concurrency = flag('concurrency', 4);
const realistic = process.argv.includes('--realistic');
const rate = 2;
const burst = 50;

const emulator = await startEmulatorProcess(['--seed', 'empty', ...(realistic ? ['--realistic'] : [])]);
const client = new B24Client({ connection: resolveConnection({ options: { webhookUrl: emulator.webhookUrl, rate, burst } }) });
try {
  const chunks: Array<Record<string, BatchCommand>> = [];
  for (let start = 0; start < leads; start += 50) {
    const chunk: Record<string, BatchCommand> = {};
    for (let index = start; index < Math.min(leads, start + 50); index += 1) {
      chunk[`lead${index}`] = { method: 'crm.lead.add', params: { fields: { TITLE: `Bench lead ${index}`, NAME: 'Ann', STATUS_ID: 'NEW', ORIGINATOR_ID: 'bench', ORIGIN_ID: `bench-${index}` } } };
    }
    chunks.push(chunk);
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as Record<string, BatchCommand>;
      const result = await client.batch(chunk);
      failures += Object.keys(result.errors).length + result.notExecuted.length + result.unknown.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const count = (await client.call('crm.lead.list', { select: ['ID'], start: 0 })).total;
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = (await fetchStats(emulator.url)) as { httpRequests: number; statuses: Record<string, number>; methods: Record<string, number> };
  const floorMs = (Math.max(0, stats.httpRequests - burst) / rate) * 1000;
  console.log(`b24chain client, ${leads} lead creates in batches of 50 (emulator in its own process, burst ${burst}, ${rate}/s, concurrency ${concurrency}${realistic ? ', realistic execution times' : ''})`);
  console.table([{
    leads,
    created: count,
    executedAdds: stats.methods['crm.lead.add'] ?? 0,
    commandFailures: failures,
    requests: stats.httpRequests,
    refusals503: stats.statuses['503'] ?? 0,
    wallMs: Math.round(wallMs),
    floorMs: Math.round(floorMs),
    overFloorPercent: floorMs > 0 ? Math.round(((wallMs - floorMs) / floorMs) * 1000) / 10 : 0,
    cpuMsPer1000: Math.round(((cpu.user + cpu.system) / 1000 / leads) * 1000 * 100) / 100,
  }]);
  console.log('@bitrix24/b24jssdk: not installed here; add it as a dev dependency to compare side by side (it needs the emulator\'s --tls).');
} finally {
  await client.close();
  await emulator.stop();
}
