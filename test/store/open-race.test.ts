/**
 * Several processes opening one new SQLite file at the same moment (two `chain run` started together
 * on a fresh machine): every one of them opens it; none fails with "database is locked" while another
 * switches the file to WAL.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SqliteLimiterStore } from '../../src/limiter/sqlite-limiter-store.ts';
import { openStateDatabase } from '../../src/store/index.ts';

const RACERS = 6;
const racer = fileURLToPath(new URL('./fixtures/open-racer.ts', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'b24chain-open-race-'));
after(() => rmSync(folder, { recursive: true, force: true }));

interface Racer {
  ready: Promise<void>;
  go: () => void;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startRacer(kind: 'state' | 'limiter', path: string): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', racer, kind, path], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.on('line', (line) => (stdout += `${line}\n`));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { ready, go: () => child.stdin.end('go\n'), result };
}

async function race(kind: 'state' | 'limiter', path: string): Promise<void> {
  const racers = Array.from({ length: RACERS }, () => startRacer(kind, path));
  await Promise.all(racers.map(({ ready }) => ready));
  for (const { go } of racers) go();
  for (const { code, stdout, stderr } of await Promise.all(racers.map(({ result }) => result))) {
    assert.equal(code, 0, stderr);
    assert.match(stdout, /opened/);
  }
}

describe('opening one new SQLite file from several processes at once', () => {
  it('the per-user limiter file: every process opens it and reserves', { timeout: 60_000 }, async () => {
    const path = join(folder, 'limiter.db');
    await race('limiter', path);
    const store = new SqliteLimiterStore(path);
    try {
      assert.ok((await store.reserve('portal', { rate: 2, burst: 50, headroom: 1, refusalSlowdown: 0.5, refusalCooldownMs: 30_000 }, Date.now())) >= 0);
    } finally {
      await store.close();
    }
  });

  it('the state database: every process opens it, and the schema is migrated once', { timeout: 60_000 }, async () => {
    const path = join(folder, 'state.db');
    await race('state', path);
    const database = openStateDatabase(path);
    try {
      assert.equal(String(database.pragma('journal_mode', { simple: true })), 'wal');
      assert.ok(Number(database.pragma('user_version', { simple: true })) >= 7);
    } finally {
      database.close();
    }
  });
});
