/**
 * How many requests per second the emulator serves on this machine (it must never be the bottleneck
 * of a client benchmark). Run: `node --import tsx bench/emulator-throughput.ts [--seconds 5] [--connections 16]`
 * The emulator runs in its own process with an effectively unlimited bucket.
 */
import { Pool } from 'undici';
import { startEmulatorProcess, fetchStats } from '../test/helpers/emulator-process.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const seconds = flag('seconds', 5);
const connections = flag('connections', 16);

interface Scenario {
  name: string;
  path: (webhookPath: string, index: number) => string;
  body?: (index: number) => string;
}

async function measure(url: string, webhookPath: string, scenario: Scenario): Promise<{ requests: number; perSecond: number; errors: number }> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const deadline = Date.now() + seconds * 1000;
  let requests = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const index = requests;
      const response = await pool.request({
        path: scenario.path(webhookPath, index),
        method: scenario.body ? 'POST' : 'GET',
        headers: scenario.body ? { 'content-type': 'application/json' } : {},
        ...(scenario.body ? { body: scenario.body(index) } : {}),
      });
      await response.body.text();
      if (response.statusCode !== 200) errors += 1;
      requests += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (Date.now() - started) / 1000;
  await pool.close();
  return { requests, perSecond: Math.round(requests / elapsed), errors };
}

const emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', '1000000', '--burst', '1000000', '--leads', '10000']);
try {
  const webhookPath = new URL(emulator.webhookUrl).pathname;
  const scenarios: Scenario[] = [
    { name: 'server.time (GET)', path: (base) => `${base}server.time` },
    { name: 'crm.lead.get (GET)', path: (base, index) => `${base}crm.lead.get?id=${(index % 10_000) + 1}` },
    {
      name: 'crm.lead.add (POST JSON)',
      path: (base) => `${base}crm.lead.add`,
      body: (index) => JSON.stringify({ fields: { TITLE: `Bench ${index}`, NAME: 'Ann' } }),
    },
    {
      name: 'crm.lead.list keyset page (GET)',
      path: (base, index) => `${base}crm.lead.list?order[ID]=ASC&filter[>ID]=${(index * 50) % 9_000}&start=-1&select[]=ID&select[]=TITLE`,
    },
    {
      name: 'batch of 50 crm.lead.get (POST JSON)',
      path: (base) => `${base}batch`,
      body: (index) =>
        JSON.stringify({
          halt: 0,
          cmd: Object.fromEntries(Array.from({ length: 50 }, (_, slot) => [`c${slot}`, `crm.lead.get?id=${((index * 50 + slot) % 10_000) + 1}`])),
        }),
    },
  ];
  console.log(`Emulator throughput: ${connections} keep-alive connections, ${seconds} s per scenario, emulator in its own process`);
  for (const scenario of scenarios) {
    const result = await measure(emulator.url, webhookPath, scenario);
    console.log(`  ${scenario.name.padEnd(40)} ${String(result.perSecond).padStart(7)} requests/s  (${result.requests} requests, ${result.errors} non-200)`);
  }
  const stats = await fetchStats(emulator.url);
  console.log(`  emulator stats: ${stats.httpRequests} HTTP requests, ${stats.commands} commands executed`);
} finally {
  await emulator.stop();
}
