/** What the fleet tests share: portal files for emulators, workers whose JSON lines can be awaited, the queue's Redis keys. */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import { type CliResult, startCli } from '../helpers/run-cli.ts';

/** The secrets a portal's profile may hold: none of them may reach Redis or a log. */
export function secretsOf(emulator: EmulatorProcess): string[] {
  return [emulator.code, emulator.app.accessToken, emulator.app.refreshToken, emulator.app.clientSecret];
}

/**
 * A portals file (YAML or JSON by its extension, mode 0600) with one profile per emulator: its webhook,
 * or for the names in `oauth` its installed application's tokens.
 */
export function writePortalsFile(
  path: string,
  portals: Record<string, EmulatorProcess>,
  limits = { rate: 50, burst: 100 },
  oauth: readonly string[] = [],
): void {
  const profiles = Object.fromEntries(
    Object.entries(portals).map(([name, emulator]) => {
      const { app } = emulator;
      const auth = oauth.includes(name)
        ? {
            authMode: 'oauth',
            accessToken: app.accessToken,
            refreshToken: app.refreshToken,
            clientId: app.clientId,
            clientSecret: app.clientSecret,
            memberId: app.memberId,
            clientEndpoint: app.clientEndpoint,
            serverEndpoint: app.serverEndpoint,
          }
        : { authMode: 'webhook', webhookUserId: emulator.userId, webhookCode: emulator.code };
      return [name, { domain: emulator.url, ...auth, rateLimiter: 'memory', ...limits }];
    }),
  );
  const content = { version: 1, portals: profiles };
  writeFileSync(path, path.endsWith('.json') ? JSON.stringify(content, null, 2) : stringify(content), { mode: 0o600 });
  chmodSync(path, 0o600);
}

export type WorkerLine = Record<string, unknown> & { type: string };

export interface WorkerProcess {
  child: ChildProcess;
  lines: WorkerLine[];
  done: Promise<CliResult>;
  /** Resolves with the first line (already seen or still to come) that matches. */
  waitFor(match: (line: WorkerLine) => boolean): Promise<WorkerLine>;
}

/** `chain fleet worker --json`: its JSON lines on stderr, collected and awaitable. */
export function startWorker(args: string[], env: Record<string, string>): WorkerProcess {
  const lines: WorkerLine[] = [];
  const waiters: Array<{ match: (line: WorkerLine) => boolean; resolve: (line: WorkerLine) => void }> = [];
  const started = startCli(['fleet', 'worker', '--json', ...args], env, (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as WorkerLine;
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  return {
    child: started.child,
    lines,
    done: started.done,
    waitFor: (match) => {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        started.done.then((result) => reject(new Error(`the worker ended (${result.code ?? result.signal}) before the line awaited:\n${result.stderr}`)));
      });
    },
  };
}

/** Every key under `prefix` with its whole value, as text (strings, hashes, lists, sets, sorted sets, streams). */
export async function dumpRedis(redisUrl: string, prefix: string): Promise<Map<string, string>> {
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix.replace(/:+$/, '')}*`);
    const dump = new Map<string, string>();
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = type;
      dump.set(key, JSON.stringify(value));
    }
    return dump;
  } finally {
    redis.disconnect();
  }
}
