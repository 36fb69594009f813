/**
 * The small token faults, as a user meets them: a refresh lock left by a crashed process is taken over
 * at once (its pid is dead on this host), and a credentials file others may read is a configuration
 * refusal (exit 2, "chmod 600 FILE"), before any request.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAppProfile } from '../helpers/app-profile.ts';
import type { AppDescription } from '../../src/emulator/index.ts';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { runCli } from '../helpers/run-cli.ts';

let emulator: EmulatorProcess;
let home: string;
let chainFile: string;

before(async () => {
  emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', '10000', '--burst', '10000']);
  chainFile = join(mkdtempSync(join(tmpdir(), 'b24chain-faults-chain-')), 'who-am-i.yml');
  writeFileSync(chainFile, 'version: 1\nname: who-am-i\nsteps:\n  - id: me\n    call: user.current\n');
});
after(async () => emulator.stop());
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'b24chain-faults-home-'));
});

async function admin(path: string, body: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

function appEnv(app: AppDescription): Record<string, string> {
  return {
    HOME: home,
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'oauth',
    B24_ACCESS_TOKEN: app.accessToken,
    B24_REFRESH_TOKEN: app.refreshToken,
    B24_CLIENT_ID: app.clientId,
    B24_CLIENT_SECRET: app.clientSecret,
    B24_OAUTH_URL: app.serverEndpoint,
    B24_RATE_LIMITER: 'memory',
    B24_DB: join(home, 'state.db'),
  };
}

/** The pid of a process that has exited (and so is dead on this host). */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('exit', () => resolve(child.pid ?? 0));
  });
}

describe('token faults', () => {
  it('a refresh lock left by a crashed process on this host is taken over at once', async () => {
    const app = (await admin('apps', { userId: 1 })) as AppDescription;
    const folder = join(home, '.local', 'state', 'b24chain');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const lock = join(folder, 'tokens.json.lock');
    // Fresh (just written), so only the dead pid can free it: the age rule would wait a minute.
    writeFileSync(lock, `${await deadPid()} ${hostname()} 0123456789abcdef\n`, { mode: 0o600 });
    await admin('tokens/expire');
    const refreshes = (await fetchStats(emulator.url)).tokenRefreshes as number;
    const result = await runCli(['call', 'user.current'], appEnv(app));
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await fetchStats(emulator.url)).tokenRefreshes, refreshes + 1);
    assert.ok(!existsSync(lock), 'the lock is released after the refresh');
  });

  const commands: Array<[string, (file: string) => string[]]> = [
    ['call', () => ['call', 'user.current', '--portal', 'demo']],
    ['run', () => ['run', chainFile, '--portal', 'demo']],
    ['worker', () => ['worker', '--handler', 'chains/core/handlers/lead-contact-sync.yml', '--once', '--confirm-write', '--portal', 'demo']],
    ['events list', () => ['events', 'list', '--portal', 'demo']],
  ];
  for (const [name, args] of commands) {
    it(`chain ${name}: a credentials file others may read is refused, exit 2, "chmod 600 FILE", nothing sent`, async () => {
      const app = (await admin('apps', { userId: 1 })) as AppDescription;
      const file = join(home, 'credentials.json');
      writeAppProfile(file, emulator.url, app);
      chmodSync(file, 0o644);
      const requests = (await fetchStats(emulator.url)).httpRequests;
      const result = await runCli(args(file), { HOME: home, B24_CREDENTIALS: file, B24_RATE_LIMITER: 'memory', B24_DB: join(home, 'state.db') });
      assert.equal(result.code, 2, result.stderr + result.stdout);
      assert.ok((result.stderr + result.stdout).includes(`chmod 600 ${file}`), result.stderr + result.stdout);
      assert.match(result.stderr + result.stdout, /CREDENTIALS_FILE_PERMISSIONS/);
      assert.equal((await fetchStats(emulator.url)).httpRequests, requests, 'nothing was sent');
    });
  }

  it('B24_CREDENTIALS others may read is refused even when no --portal names a profile in it', async () => {
    const app = (await admin('apps', { userId: 1 })) as AppDescription;
    const file = join(home, 'credentials.json');
    writeFileSync(file, '{"version": 1, "portals": {}}\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    const result = await runCli(['call', 'user.current'], { ...appEnv(app), B24_CREDENTIALS: file });
    assert.equal(result.code, 2, result.stderr + result.stdout);
    assert.ok((result.stderr + result.stdout).includes(`chmod 600 ${file}`), result.stderr + result.stdout);
  });
});
