/**
 * OAuth tokens shared by the hosts of a fleet through PostgreSQL (issue 14): with B24_DATABASE_URL a
 * token refreshed by one "host" (a process with its own HOME, working directory and B24_HOST_ID) is
 * the one the next host uses, never a used-up refresh token; two hosts whose token expired at once make
 * exactly one refresh at the OAuth server (a lock across hosts), the other adopts the result. The
 * emulator expires tokens on an admin call; the overlap of the two hosts is arranged by a proxy that
 * holds the refresh until both hosts are at the token lock (seen in pg_stat_activity), never by time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { AppDescription } from '../../src/emulator/index.ts';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { freshDatabaseUrl } from '../helpers/fleet-env.ts';
import { runCli, startCli, type CliResult } from '../helpers/run-cli.ts';

let emulator: EmulatorProcess;
let databaseUrl = '';

before(async () => {
  emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', '10000', '--burst', '10000']);
  databaseUrl = await freshDatabaseUrl('tokens');
});
after(async () => emulator?.stop());

async function admin(path: string, body: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

const newApp = async (): Promise<AppDescription> => (await admin('apps', { userId: 1 })) as AppDescription;
const expireTokens = async (): Promise<void> => void (await admin('tokens/expire'));
const refreshes = async (): Promise<number> => (await fetchStats(emulator.url)).tokenRefreshes as number;

interface Host {
  env: Record<string, string>;
  cwd: string;
  home: string;
}

/** A "host": its own HOME and working directory; the application's tokens from the environment; the shared database. */
function host(id: string, app: AppDescription, portalUrl = emulator.url, oauthUrl = app.serverEndpoint): Host {
  const home = mkdtempSync(join(tmpdir(), `b24chain-${id}-home-`));
  const cwd = mkdtempSync(join(tmpdir(), `b24chain-${id}-cwd-`));
  return {
    home,
    cwd,
    env: {
      HOME: home,
      B24_HOST_ID: id,
      B24_DATABASE_URL: databaseUrl,
      B24_DOMAIN: portalUrl,
      B24_AUTH_MODE: 'oauth',
      B24_ACCESS_TOKEN: app.accessToken,
      B24_REFRESH_TOKEN: app.refreshToken,
      B24_CLIENT_ID: app.clientId,
      B24_CLIENT_SECRET: app.clientSecret,
      B24_OAUTH_URL: oauthUrl,
      B24_RATE_LIMITER: 'memory',
    },
  };
}

const callUser = (on: Host): Promise<CliResult> => runCli(['call', 'user.current', '--json'], on.env, { cwd: on.cwd });

function succeeded(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what}: ${result.stderr}${result.stdout}`);
  assert.doesNotMatch(result.stderr + result.stdout, /REFRESH_TOKEN_REJECTED/);
}

async function storedTokens(key: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ tokens: string }>('SELECT tokens FROM oauth_tokens WHERE token_key = $1', [key]);
    return rows[0]?.tokens;
  } finally {
    await client.end();
  }
}

describe('OAuth tokens across hosts (PostgreSQL)', () => {
  it('host A refreshes; host B, started with the same used-up tokens, uses what A stored and refreshes with it; A then uses B’s', {
    timeout: 120_000,
  }, async () => {
    const app = await newApp();
    const hostA = host('host-a', app);
    const hostB = host('host-b', app);
    const before = await refreshes();

    await expireTokens();
    succeeded(await callUser(hostA), 'host A after an expiry');
    assert.equal((await refreshes()) - before, 1, 'host A refreshed once');

    await expireTokens();
    succeeded(await callUser(hostB), 'host B after a second expiry');
    assert.equal((await refreshes()) - before, 2, 'host B refreshed with the stored refresh token, not the used one from its environment');

    succeeded(await callUser(hostA), 'host A again, token still valid');
    assert.equal((await refreshes()) - before, 2, 'host A used the token host B stored as it was');

    const key = `${new URL(emulator.url).host}|${app.clientId}`;
    const stored = await storedTokens(key);
    assert.ok(stored, 'the tokens are in the state database under <portal>|<client_id>');
    assert.ok(!stored.includes(app.refreshToken) && !stored.includes(app.accessToken), 'the used tokens are not kept, only digests');
    for (const { home, cwd } of [hostA, hostB]) {
      assert.equal(existsSync(join(home, '.local', 'state', 'b24chain', 'tokens.json')), false, 'no tokens file on either host');
      assert.equal(existsSync(join(cwd, '.b24chain')), false, 'no state file on either host');
    }
  });

  describe('two hosts whose token expired at the same moment', () => {
    let proxy: Server;
    let proxyUrl = '';
    const seen = { refreshes: 0 };
    let releaseRefresh: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (releaseRefresh = resolve));

    /** Sessions whose last statement tried the token lock: a host waiting for it (the holder has gone on to read the tokens). */
    async function sessionsAtTheLock(): Promise<number> {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ count: string }>(
          `SELECT count(*) AS count FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_try_advisory_lock%'`,
        );
        return Number(rows[0]?.count ?? 0);
      } finally {
        await client.end();
      }
    }

    const readBody = async (request: IncomingMessage): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };

    before(async () => {
      // Forwards everything to the emulator; counts the refreshes and holds them until the test releases them.
      proxy = createServer((request, response) => {
        void (async () => {
          const body = await readBody(request);
          const path = request.url ?? '/';
          if (path.startsWith('/oauth/token')) {
            seen.refreshes += 1;
            await released;
          }
          const forwarded = await fetch(`${emulator.url}${path}`, {
            method: request.method ?? 'GET',
            headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
            ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
          });
          response.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await forwarded.arrayBuffer()));
        })().catch((error: unknown) => {
          response.writeHead(502);
          response.end(String(error));
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    after(async () => {
      releaseRefresh();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    });

    it('exactly one refresh reaches the OAuth server; the other host adopts its result; neither is rejected', { timeout: 120_000 }, async () => {
      const app = await newApp();
      const hostA = host('host-a2', app, proxyUrl, `${proxyUrl}/oauth/`);
      const hostB = host('host-b2', app, proxyUrl, `${proxyUrl}/oauth/`);
      const before = await refreshes();
      await expireTokens();
      const runs = [hostA, hostB].map((on) => startCli(['call', 'user.current', '--json'], on.env, undefined, { cwd: on.cwd }).done);
      // One host holds the lock and its refresh is held here; the other keeps trying the lock meanwhile.
      for (const deadline = Date.now() + 60_000; (await sessionsAtTheLock()) < 1 || seen.refreshes < 1; ) {
        assert.ok(Date.now() < deadline, 'one host is refreshing while the other waits for the token lock');
        assert.ok(seen.refreshes <= 1, 'no second refresh while the first is held');
      }
      releaseRefresh();
      const [resultA, resultB] = await Promise.all(runs);
      assert.ok(resultA && resultB);
      succeeded(resultA, 'host A');
      succeeded(resultB, 'host B');
      assert.equal(seen.refreshes, 1, 'one refresh request left the two hosts');
      assert.equal((await refreshes()) - before, 1, 'the OAuth server refreshed once');
    });
  });
});
