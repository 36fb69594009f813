/**
 * Refreshed OAuth tokens outlive the process that refreshed them: every command (call, run, worker)
 * started later with the same environment finds them in the tokens file and never replays a refresh
 * token already used (REFRESH_TOKEN_REJECTED). The emulator expires tokens on an admin call, so no
 * test waits for a clock.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentialsFile } from '../../src/client/credentials-file.ts';
import { writeAppProfile } from '../helpers/app-profile.ts';
import type { AppDescription } from '../../src/emulator/index.ts';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { runCli, type CliResult } from '../helpers/run-cli.ts';

const handlerPath = 'chains/core/handlers/lead-contact-sync.yml';
let emulator: EmulatorProcess;
let home: string;
let chainFile: string;

before(async () => {
  emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', '10000', '--burst', '10000']);
  chainFile = join(mkdtempSync(join(tmpdir(), 'b24chain-tokens-chain-')), 'who-am-i.yml');
  writeFileSync(chainFile, 'version: 1\nname: who-am-i\nsteps:\n  - id: me\n    call: user.current\n');
});
after(async () => emulator.stop());
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'b24chain-tokens-home-'));
});

async function admin(path: string, body: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** A fresh application (its own refresh token), so every test starts from an unused one. */
const newApp = async (): Promise<AppDescription> => (await admin('apps', { userId: 1 })) as AppDescription;
const expireTokens = async (): Promise<void> => void (await admin('tokens/expire'));
const refreshes = async (): Promise<number> => (await fetchStats(emulator.url)).tokenRefreshes as number;

function appEnv(
  app: Pick<AppDescription, 'accessToken' | 'refreshToken' | 'clientId' | 'clientSecret' | 'serverEndpoint'>,
  stateFolder: string,
): Record<string, string> {
  return {
    HOME: home,
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'oauth',
    B24_ACCESS_TOKEN: app.accessToken,
    B24_REFRESH_TOKEN: app.refreshToken,
    B24_CLIENT_ID: app.clientId,
    B24_CLIENT_SECRET: app.clientSecret,
    B24_OAUTH_URL: app.serverEndpoint,
    B24_RATE_LIMITER_RATE: '10000',
    B24_RATE_LIMITER_BURST: '10000',
    B24_DB: join(stateFolder, 'state.db'),
  };
}

const stateFolder = (): string => mkdtempSync(join(tmpdir(), 'b24chain-tokens-state-'));
const tokensFile = (): string => join(home, '.local', 'state', 'b24chain', 'tokens.json');

function succeeded(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what}: ${result.stderr}${result.stdout}`);
  assert.doesNotMatch(result.stderr + result.stdout, /REFRESH_TOKEN_REJECTED/);
}

const commands = {
  call: (env: Record<string, string>): Promise<CliResult> => runCli(['call', 'user.current', '--json'], env),
  run: (env: Record<string, string>): Promise<CliResult> => runCli(['run', chainFile, '--json'], env),
  worker: (env: Record<string, string>): Promise<CliResult> => runCli(['worker', '--handler', handlerPath, '--once', '--confirm-write'], env),
};

describe('OAuth tokens survive the process (tokens file)', () => {
  for (const [first, second] of [
    ['worker', 'worker'],
    ['call', 'call'],
    ['run', 'call'],
  ] as const) {
    it(`${first} refreshes and exits; ${second} started with the same environment succeeds across two more expiries`, async () => {
      const app = await newApp();
      const env = appEnv(app, stateFolder());
      const before = await refreshes();
      await expireTokens();
      succeeded(await commands[first](env), first);
      assert.equal((await refreshes()) - before, 1, 'process A refreshed once');

      await expireTokens();
      succeeded(await commands[second](env), `${second} after a second expiry`);
      assert.equal((await refreshes()) - before, 2, 'process B refreshed with the stored refresh token, not the used one');

      succeeded(await commands[second](env), `${second} again, token still valid`);
      assert.equal((await refreshes()) - before, 2, 'process C used the stored access token as it was');

      const text = readFileSync(tokensFile(), 'utf8');
      assert.equal(statSync(tokensFile()).mode & 0o777, 0o600);
      assert.equal(statSync(join(home, '.local', 'state', 'b24chain')).mode & 0o777, 0o700);
      assert.ok(!text.includes(app.refreshToken) && !text.includes(app.accessToken), 'the used tokens are not kept, only digests');
      const entry = (JSON.parse(text) as { tokens: Record<string, { accessToken: string }> }).tokens[`${new URL(emulator.url).host}|${app.clientId}`];
      assert.ok(entry?.accessToken, 'keyed by portal and client id');
    });
  }

  it('B24_TOKENS_FILE moves the file; a tokens file others may read is refused with exit 2 and the chmod to run', async () => {
    const app = await newApp();
    const file = join(mkdtempSync(join(tmpdir(), 'b24chain-tokens-file-')), 'tokens.json');
    const env = { ...appEnv(app, stateFolder()), B24_TOKENS_FILE: file };
    await expireTokens();
    succeeded(await commands.call(env), 'call');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    chmodSync(file, 0o644);
    const requests = (await fetchStats(emulator.url)).httpRequests;
    const refused = await runCli(['call', 'user.current'], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /TOKENS_FILE_PERMISSIONS/);
    assert.ok(refused.stderr.includes(`chmod 600 ${file}`), refused.stderr);
    assert.equal((await fetchStats(emulator.url)).httpRequests, requests, 'nothing was sent');
  });

  it('tokens in the environment that the stored ones do not descend from (a new authorisation) win over the stored ones', async () => {
    const app = await newApp();
    const env = appEnv(app, stateFolder());
    await expireTokens();
    succeeded(await commands.call(env), 'first call');
    // Re-authorise out of band: fresh tokens for the same application, which the tokens file never saw.
    const stored = (JSON.parse(readFileSync(tokensFile(), 'utf8')) as { tokens: Record<string, { refreshToken: string }> }).tokens[
      `${new URL(emulator.url).host}|${app.clientId}`
    ];
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: stored?.refreshToken ?? '',
    });
    const fresh = (await (await fetch(`${emulator.url}/oauth/token/`, { method: 'POST', body: form })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    await expireTokens();
    const before = await refreshes();
    // The stored refresh token was used by the re-authorisation: only the environment's new one works.
    succeeded(await commands.call({ ...env, B24_ACCESS_TOKEN: fresh.access_token, B24_REFRESH_TOKEN: fresh.refresh_token }), 'call with the new tokens');
    assert.equal((await refreshes()) - before, 1);
    await expireTokens();
    succeeded(await commands.call({ ...env, B24_ACCESS_TOKEN: fresh.access_token, B24_REFRESH_TOKEN: fresh.refresh_token }), 'and again after a restart');
    assert.equal((await refreshes()) - before, 2);
  });

  it('with --portal the refreshed tokens go back into the profile of the credentials file, and the next process uses them', async () => {
    const app = await newApp();
    const file = join(home, 'credentials.json');
    writeAppProfile(file, emulator.url, app);
    const env = { HOME: home, B24_CREDENTIALS: file, B24_RATE_LIMITER: 'memory', B24_DB: join(stateFolder(), 'state.db') };
    const before = await refreshes();
    for (const command of [
      ['call', 'user.current', '--portal', 'demo'],
      ['run', chainFile, '--portal', 'demo'],
      ['worker', '--handler', handlerPath, '--once', '--confirm-write', '--portal', 'demo'],
    ]) {
      await expireTokens();
      succeeded(await runCli(command, env), command[0] ?? '');
    }
    assert.equal((await refreshes()) - before, 3);
    const profile = readCredentialsFile(file).portals.demo;
    assert.notEqual(profile?.refreshToken, app.refreshToken);
    assert.equal(profile?.clientSecret, app.clientSecret, 'the rest of the profile is kept');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!existsSync(tokensFile()), "a profile's tokens stay in its own file");
  });
});
