/**
 * Streams N leads (default 1,000,000) through a for_each whose write is filtered out by an `if`
 * (bench/chains/stream-filtered.yml): memory must stay flat, under 200 MB RSS in the runner process.
 *   node --import tsx bench/runner-stream.ts [--rows 1000000] [--rate 2] [--burst 50]
 */
import { startEmulatorProcess, fetchStats } from '../test/helpers/emulator-process.ts';
import { runBenchChain } from './run-bench-chain.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const rows = flag('rows', 1_000_000);
const rate = flag('rate', 2);
const burst = flag('burst', 50);
const emulator = await startEmulatorProcess([
  '--seed',
  'empty',
  '--leads',
  String(rows),
  '--rate',
  String(rate),
  '--burst',
  String(burst),
  '--read-ms',
  '4',
  '--write-ms',
  '10',
]);
try {
  let peakRss = 0;
  let lastPrint = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const run = await runBenchChain(emulator, 'bench/chains/stream-filtered.yml', {
    rate,
    burst,
    onProgress: (read) => {
      if (Date.now() - lastPrint > 15_000) {
        lastPrint = Date.now();
        process.stderr.write(`  … ${read} rows streamed, RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB\n`);
      }
    },
  });
  clearInterval(sample);
  const stats = await fetchStats(emulator.url);
  console.log(`Stream ${rows} leads through a for_each (write filtered out by if), emulator in its own process, burst ${burst}, ${rate}/s`);
  console.log(
    `  status: ${run.outcome.status}, rows read: ${run.outcome.rows}, writes sent: ${(stats.methods as Record<string, number>)['crm.lead.update'] ?? 0}`,
  );
  console.log(`  HTTP requests: ${stats.httpRequests} (target ≤ ceil(N/2500)+1 = ${Math.ceil(rows / 2500) + 1} plus 1 scope check)`);
  console.log(`  wall time: ${(run.wallMs / 1000).toFixed(1)} s, runner CPU ${(run.cpuMs / (rows / 1000)).toFixed(2)} ms per 1,000 rows`);
  console.log(
    `  runner peak RSS: ${(Math.max(peakRss, process.memoryUsage().rss) / 1048576).toFixed(0)} MB (maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; target < 200 MB)`,
  );
} finally {
  await emulator.stop();
}
