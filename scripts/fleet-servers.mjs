// Starts a throwaway Redis and PostgreSQL on 127.0.0.1 for the fleet suite and the fleet benchmark:
// each in its own temporary folder, on a free port, stopped (and the folder removed) by stop().
// redis-server comes from Debian's package (apt-get install -y redis-server); PostgreSQL 15's initdb
// and postgres are on the machine's PATH. PostgreSQL refuses to run as root: as root, the cluster is
// made and run as the `postgres` user (or `nobody`).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, what, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before accepting connections`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not accept connections on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/** A Redis server on 127.0.0.1 with no persistence. Resolves { url, stop }. */
export async function startRedis() {
  const folder = mkdtempSync(join(tmpdir(), 'b24chain-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, 'redis-server', child);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopChild(child);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

function serverUser() {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
      return { uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error('PostgreSQL cannot run as root and there is no postgres or nobody user');
}

/** A PostgreSQL cluster on 127.0.0.1 (user b24, trust auth). Resolves { url, stop }. */
export async function startPostgres() {
  const folder = mkdtempSync(join(tmpdir(), 'b24chain-postgres-'));
  const user = serverUser();
  if (user) chownSync(folder, user.uid, user.gid);
  const data = join(folder, 'data');
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync('initdb', ['-D', data, '-U', 'b24', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...as, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const child = spawn(
    'postgres',
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      folder,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=400',
    ],
    { ...as, stdio: 'ignore' },
  );
  await waitForPort(port, 'postgres', child);
  return {
    url: `postgres://b24@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await stopChild(child);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
