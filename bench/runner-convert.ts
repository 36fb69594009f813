/**
 * Converts N leads with chains/core/lead-to-deal.yml (contact + deal + mark per lead) against an
 * emulator in its own process with the default limit (burst 50, 2/s) and realistic execution time.
 * Prints requests, wall time against the floor the limit allows, 503s, and the runner's CPU per 1,000 items.
 *   node --import tsx bench/runner-convert.ts [--leads 10000] [--write-ms 10] [--concurrency 4]
 */
import { startEmulatorProcess, fetchStats } from '../test/helpers/emulator-process.ts';
import { runBenchChain } from './run-bench-chain.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const leads = flag('leads', 10_000);
const writeMs = flag('write-ms', 10);
const readMs = flag('read-ms', 4);
const concurrency = flag('concurrency', 4);
const rate = 2;
const burst = 50;

const emulator = await startEmulatorProcess([
  '--seed',
  'empty',
  '--leads',
  String(leads),
  '--lead-status',
  'IN_PROCESS',
  '--rate',
  String(rate),
  '--burst',
  String(burst),
  '--write-ms',
  String(writeMs),
  '--read-ms',
  String(readMs),
]);
try {
  let lastPrint = 0;
  const run = await runBenchChain(emulator, 'chains/core/lead-to-deal.yml', {
    concurrency,
    onProgress: (rows, done) => {
      if (Date.now() - lastPrint > 15_000) {
        lastPrint = Date.now();
        process.stderr.write(`  … ${done} leads converted, ${rows} rows read\n`);
      }
    },
  });
  const stats = await fetchStats(emulator.url);
  const requests = Number(stats.httpRequests);
  const floorSeconds = Math.max(0, (requests - burst) / rate);
  const wallSeconds = run.wallMs / 1000;
  const statuses = stats.statuses as Record<string, number>;
  console.log(
    `Convert ${leads} leads (lead-to-deal: 3 writes per lead), emulator in its own process, burst ${burst}, ${rate}/s, ${readMs} ms/read, ${writeMs} ms/write, concurrency ${concurrency}`,
  );
  console.log(`  status: ${run.outcome.status}, items done: ${run.outcome.items.done}`);
  const writeBatches = Math.ceil(leads / 16); // 16 leads × 3 commands = 48 per request
  const listReads = 1 + Math.ceil(leads / 2500);
  console.log(
    `  HTTP requests: ${requests} (floor: ${writeBatches} write batches + ${listReads} list reads + 1 scope check = ${writeBatches + listReads + 1}), commands: ${stats.commands}`,
  );
  console.log(`  503 responses: ${statuses['503'] ?? 0}, 429 responses: ${statuses['429'] ?? 0}`);
  console.log(
    `  wall time: ${wallSeconds.toFixed(1)} s; floor the limit allows: ${floorSeconds.toFixed(1)} s; ratio ${(wallSeconds / Math.max(1, floorSeconds)).toFixed(3)}`,
  );
  console.log(
    `  runner CPU: ${run.cpuMs.toFixed(0)} ms total, ${(run.cpuMs / (leads / 1000)).toFixed(1)} ms per 1,000 items; limiter waited ${(run.counters.limiterWaitMs / 1000).toFixed(1)} s`,
  );
  console.log(`  runner peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await emulator.stop();
}
