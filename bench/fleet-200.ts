/**
 * The fleet benchmark (issue #14, DESIGN.md §13): N emulated portals in one emulator process, one
 * lead-to-deal run per portal, taken by W `chain fleet worker` processes from the queue on Redis (state
 * in PostgreSQL), each portal at the standard limit (burst 50, 2 requests/s). Prints the 503s per portal
 * (must be 0), each portal's requests against what its bucket allowed over its own window (≥ 90 %), the
 * workers' CPU per 1,000 requests and how many portals one core keeps at full budget.
 *
 *   npm run build && node --import tsx bench/fleet-200.ts [--portals 200] [--workers 4] [--leads 2000]
 *     [--worker-concurrency N] [--run-concurrency 4] [--read-ms 4] [--write-ms 10] [--rate 2] [--burst 50]
 *     [--mode fleet|direct] [--timeout 1800] [--verbose] [--json]
 *
 * `--mode direct` needs no Redis, PostgreSQL or fleet worker: one `chain run --portal NAME` process per
 * portal, all at once (for a quick small run, e.g. --portals 20). Needs Linux (/proc) for the CPU figures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EmulatorStats, PortalDescription } from '../src/emulator/index.ts';
import { type EmulatorProcess, startEmulatorProcess } from '../test/helpers/emulator-process.ts';
import { binPath } from '../test/helpers/run-cli.ts';
import { cpuFigures, measurePortalRate, type PortalRate, summarisePortalRates } from './fleet/measure-portal-rates.ts';
import { processCpuMs, reapedChildrenCpuMs } from './fleet/process-cpu.ts';
import { writePortalsFile } from './fleet/write-portals-file.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: expected a number, got ${process.argv[index + 1]}`);
  return value;
}
const has = (name: string): boolean => process.argv.includes(`--${name}`);
const modeIndex = process.argv.indexOf('--mode');
const mode = modeIndex === -1 ? 'fleet' : process.argv[modeIndex + 1];
if (mode !== 'fleet' && mode !== 'direct') throw new Error(`--mode: fleet or direct, got ${mode}`);

const settings = {
  portals: flag('portals', 200),
  workers: flag('workers', 4),
  leads: flag('leads', 2000),
  runConcurrency: flag('run-concurrency', 4),
  readMs: flag('read-ms', 4),
  writeMs: flag('write-ms', 10),
  rate: flag('rate', 2),
  burst: flag('burst', 50),
  timeoutSeconds: flag('timeout', 1800),
};
const workerConcurrency = flag('worker-concurrency', Math.min(64, Math.ceil(settings.portals / settings.workers)));
const chainFile = 'chains/core/lead-to-deal.yml';

interface StepResult {
  /** CPU of the processes that ran the chains, past their start-up, in ms. */
  cpuMs: number;
  notes: string[];
}

interface StepContext {
  emulator: EmulatorProcess;
  portals: PortalDescription[];
  portalsFile: string;
  folder: string;
}

function childEnv(extra: Record<string, string>, folder: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: join(folder, 'home'), ...extra };
}

/** Runs `chain ARGS` to its end; resolves stdout or throws with what it printed. */
function runChain(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`chain ${args[0]} exited ${code}: ${stderr.slice(-2000)}${stdout.slice(-2000)}`)),
    );
  });
}

async function portalStats(url: string): Promise<Array<{ name: string; stats: EmulatorStats }>> {
  const response = await fetch(`${url}/_emulator/portals`);
  const body = (await response.json()) as { portals: Array<{ name: string; stats: EmulatorStats }> };
  return body.portals;
}

/** Resolves once every portal marked all its leads (lead-to-deal's last write), or rejects after the timeout. */
async function waitForPortals(url: string, stopEarly: () => string | undefined): Promise<void> {
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  let lastReport = Date.now();
  for (;;) {
    const portals = await portalStats(url);
    const done = portals.filter((portal) => (portal.stats.methods['crm.lead.update'] ?? 0) >= settings.leads).length;
    if (done === portals.length) return;
    const reason = stopEarly();
    if (reason !== undefined) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`timeout: ${done} of ${portals.length} portals done after ${settings.timeoutSeconds} s`);
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const requests = portals.reduce((sum, portal) => sum + portal.stats.httpRequests, 0);
      process.stderr.write(`  … ${done} of ${portals.length} portals done, ${requests} requests so far\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The fleet: Redis + PostgreSQL, one enqueue, W `chain fleet worker` processes. */
async function runFleetStep(context: StepContext): Promise<StepResult> {
  // @ts-expect-error: a plain .mjs script without type declarations
  const servers: { startRedis(): Promise<Server>; startPostgres(): Promise<Server> } = await import('../scripts/fleet-servers.mjs');
  interface Server {
    url: string;
    stop(): Promise<void>;
  }
  const redis = await servers.startRedis();
  const postgres = await servers.startPostgres();
  const workers: Array<{ child: ChildProcess; startCpuMs: number; summary?: Record<string, unknown> }> = [];
  try {
    const shared = { B24_REDIS_URL: redis.url, B24_DATABASE_URL: postgres.url, B24_REDIS_PREFIX: 'bench' };
    const enqueued = JSON.parse(
      await runChain(
        [
          'run',
          chainFile,
          '--portals',
          context.portals.map((portal) => portal.name).join(','),
          '--portals-file',
          context.portalsFile,
          '--confirm-write',
          '--concurrency',
          String(settings.runConcurrency),
          '--json',
        ],
        childEnv({ ...shared, B24_DB: join(context.folder, 'enqueue.db') }, context.folder),
      ),
    ) as { fleetId: string; jobs: unknown[] };
    process.stderr.write(`  fleet ${enqueued.fleetId}: ${enqueued.jobs.length} jobs enqueued\n`);
    const failures: string[] = [];
    for (let index = 1; index <= settings.workers; index += 1) {
      const env = childEnv({ ...shared, B24_DB: join(context.folder, `worker-${index}.db`), B24_HOST_ID: `bench-host-${index}` }, context.folder);
      const child = spawn(
        process.execPath,
        [binPath, 'fleet', 'worker', '--concurrency', String(workerConcurrency), '--portals-file', context.portalsFile, '--json'],
        {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const worker: (typeof workers)[number] = { child, startCpuMs: 0 };
      workers.push(worker);
      const started = new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`fleet worker ${index} exited ${code} before it started`)));
        createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
          const event = line.startsWith('{') ? (JSON.parse(line) as { type?: string; code?: string; message?: string; jobId?: string }) : {};
          if (event.type === 'worker-started') {
            worker.startCpuMs = processCpuMs(child.pid ?? 0);
            child.removeAllListeners('exit');
            resolve();
          } else if (event.type === 'job-failed') failures.push(`${event.jobId}: ${event.code} ${event.message}`);
          else if (!line.startsWith('{')) process.stderr.write(`  worker ${index}: ${line}\n`);
        });
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.startsWith('{')) worker.summary = JSON.parse(line) as Record<string, unknown>;
      });
      await started;
    }
    await waitForPortals(context.emulator.url, () => (failures.length > 0 ? `a fleet job failed: ${failures.join('; ')}` : undefined));
    const cpuMs = workers.reduce((sum, worker) => sum + processCpuMs(worker.child.pid ?? 0) - worker.startCpuMs, 0);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.child.once('close', () => resolve());
            worker.child.kill('SIGTERM');
          }),
      ),
    );
    const status = JSON.parse(
      await runChain(['status', '--fleet', enqueued.fleetId, '--json'], childEnv({ ...shared, B24_DB: join(context.folder, 'enqueue.db') }, context.folder)),
    ) as {
      totals: Record<string, number>;
    };
    return {
      cpuMs,
      notes: [
        `fleet status: ${JSON.stringify(status.totals)}`,
        ...workers.map((worker, index) => `worker ${index + 1}: ${JSON.stringify(worker.summary ?? {})}`),
      ],
    };
  } finally {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await redis.stop();
    await postgres.stop();
  }
}

/** No queue: one `chain run --portal NAME` process per portal, all at once; their CPU from the reaped children's totals. */
async function runDirectStep(context: StepContext): Promise<StepResult> {
  const before = reapedChildrenCpuMs();
  await Promise.all(
    context.portals.map((portal) =>
      runChain(
        ['run', chainFile, '--portal', portal.name, '--confirm-write', '--concurrency', String(settings.runConcurrency), '--json'],
        childEnv({ B24_CREDENTIALS: context.portalsFile, B24_DB: join(context.folder, `${portal.name}.db`) }, context.folder),
      ),
    ),
  );
  await waitForPortals(context.emulator.url, () => undefined);
  return { cpuMs: reapedChildrenCpuMs() - before, notes: ['direct: CPU includes each process start-up (about 0.3 s per process)'] };
}

/** At most ten names, then how many more. */
function names(list: readonly string[]): string {
  return list.length <= 10 ? list.join(', ') : `${list.slice(0, 10).join(', ')} and ${list.length - 10} more`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

const folder = mkdtempSync(join(tmpdir(), 'b24chain-fleet-bench-'));
const emulator = await startEmulatorProcess([
  '--portals',
  String(settings.portals),
  '--seed',
  'empty',
  '--leads',
  String(settings.leads),
  '--lead-status',
  'IN_PROCESS',
  '--rate',
  String(settings.rate),
  '--burst',
  String(settings.burst),
  '--read-ms',
  String(settings.readMs),
  '--write-ms',
  String(settings.writeMs),
]);
try {
  const portals = emulator.portals ?? [
    {
      name: 'p1',
      url: emulator.url,
      webhookUrl: emulator.webhookUrl,
      userId: emulator.userId,
      code: emulator.code,
      memberId: emulator.app.memberId,
      app: emulator.app,
    },
  ];
  const portalsFile = join(folder, 'portals.json');
  writePortalsFile(portalsFile, portals, { rate: settings.rate, burst: settings.burst });
  const context: StepContext = { emulator, portals, portalsFile, folder };
  const emulatorCpuBefore = processCpuMs(emulator.pid);
  const step = mode === 'fleet' ? await runFleetStep(context) : await runDirectStep(context);
  const emulatorCpuMs = processCpuMs(emulator.pid) - emulatorCpuBefore;

  const limit = { rate: settings.rate, burst: settings.burst };
  const stats = await portalStats(emulator.url);
  const rates: PortalRate[] = stats.map((portal) => measurePortalRate(portal.name, portal.stats, limit));
  const summary = summarisePortalRates(rates);
  const cpu = cpuFigures(step.cpuMs, summary.requests, settings.rate);
  const dealsOff = stats.filter((portal) => (portal.stats.methods['crm.deal.add'] ?? 0) !== settings.leads).map((portal) => portal.name);
  const firsts = stats.map((portal) => portal.stats.firstRequestAtMs ?? 0);
  const lasts = stats.map((portal) => portal.stats.lastRequestAtMs ?? 0);
  const wallSeconds = (Math.max(...lasts) - Math.min(...firsts)) / 1000;

  if (has('json')) {
    console.log(
      JSON.stringify({
        settings: { ...settings, mode, workerConcurrency },
        wallSeconds,
        summary,
        cpu: { workerCpuMs: step.cpuMs, emulatorCpuMs, ...cpu },
        dealsOff,
        rates,
        notes: step.notes,
      }),
    );
  } else {
    console.log(
      `Fleet benchmark (${mode}): ${settings.portals} portals × lead-to-deal (${settings.leads} leads each), one emulator process (burst ${settings.burst}, ${settings.rate}/s, ${settings.readMs} ms/read, ${settings.writeMs} ms/write)` +
        (mode === 'fleet' ? `, ${settings.workers} fleet workers × concurrency ${workerConcurrency}` : ', one chain run process per portal'),
    );
    console.log(`  wall: ${wallSeconds.toFixed(1)} s; requests: ${summary.requests} (${(summary.requests / summary.portals).toFixed(1)} per portal)`);
    console.log(`  503: ${summary.refused503}${summary.portalsWith503.length > 0 ? ` on ${names(summary.portalsWith503)}` : ' on every portal'}`);
    console.log(
      `  requests vs allowed by the bucket over each portal's window: min ${percent(summary.minShare)}, median ${percent(summary.medianShare)}, max ${percent(summary.maxShare)}; under 90 %: ${summary.belowThreshold.length === 0 ? 'none' : `${summary.belowThreshold.length} (${names(summary.belowThreshold)})`}` +
        (summary.withinBurst.length > 0 ? `; ${summary.withinBurst.length} portal(s) never passed the burst (raise --leads)` : ''),
    );
    console.log(
      `  chain CPU: ${Math.round(step.cpuMs)} ms = ${cpu.cpuMsPer1000Requests.toFixed(0)} ms per 1,000 requests → one core keeps ${Math.floor(cpu.portalsPerCore)} portals at full budget (${settings.rate} requests/s each)`,
    );
    console.log(
      `  emulator CPU: ${Math.round(emulatorCpuMs)} ms (${((emulatorCpuMs / Math.max(1, summary.requests)) * 1000).toFixed(0)} ms per 1,000 requests)`,
    );
    console.log(`  deals: ${dealsOff.length === 0 ? `every portal has ${settings.leads}, one per lead` : `not one per lead on ${names(dealsOff)}`}`);
    for (const note of step.notes) console.log(`  ${note}`);
    if (has('verbose')) {
      for (const rate of rates) {
        console.log(
          `    ${rate.name.padEnd(5)} ${String(rate.requests).padStart(5)} requests in ${rate.seconds.toFixed(1).padStart(6)} s, allowed ${rate.allowed.toFixed(0).padStart(5)}: ${percent(rate.share)}, 503: ${rate.refused503}`,
        );
      }
    }
  }
} finally {
  await emulator.stop();
  rmSync(folder, { recursive: true, force: true });
}
