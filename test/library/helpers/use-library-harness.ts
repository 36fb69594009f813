/**
 * One emulator process per library test file (demo seed), and the real CLI run against it over HTTP:
 * `chain run FILE` with the seed-compatible webhook environment, `chain validate --json`, and the
 * emulator's per-method counters to tell which requests a run sent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../../helpers/emulator-process.ts';
import { callMethod } from '../../helpers/portal-reader.ts';
import { runCli, webhookEnv, type CliResult } from '../../helpers/run-cli.ts';

export interface RunReport {
  status: string;
  exitCode: number;
  outputs: Record<string, unknown>;
  errors: Array<{ code?: string; message?: string }>;
}

export interface LibraryHarness {
  readonly emulator: EmulatorProcess;
  /** `chain run <chains/FILE> --json ...args` as the emulator's webhook user. */
  run(file: string, args?: string[], env?: Record<string, string>): Promise<{ cli: CliResult; report: RunReport | undefined }>;
  /** `chain validate --json` of several chain files. */
  validate(
    files: string[],
  ): Promise<{ cli: CliResult; files: Array<{ file: string; valid: boolean; scopes: string[]; writes: unknown[]; destructive: unknown[] }> }>;
  /** Executions by method name so far (lower case). */
  methodCounts(): Promise<Record<string, number>>;
  /** Calls a method as the webhook user, failing the test on an error. */
  read(method: string, params?: Record<string, unknown>): Promise<unknown>;
  /** Calls a method as the installed application (OAuth `auth`), failing the test on an error. */
  readAsApp(method: string, params?: Record<string, unknown>): Promise<unknown>;
  /** The emulator's installed application (OAuth), as environment variables for the CLI. */
  appEnv(): Record<string, string>;
  /** A webhook of the same portal limited to `scopes`, as environment variables for the CLI. */
  limitedWebhookEnv(scopes: string[]): Promise<Record<string, string>>;
}

export const chainFile = (relative: string): string => fileURLToPath(new URL(`../../../chains/${relative}`, import.meta.url));

/** Counts of each method in `after` beyond `before`, only those that changed. */
export function methodDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [method, count] of Object.entries(after)) {
    const grown = count - (before[method] ?? 0);
    if (grown > 0) delta[method] = grown;
  }
  return delta;
}

/** Starts the emulator before the file's tests and stops it after. */
export function useLibraryHarness(): LibraryHarness {
  let emulator: EmulatorProcess | undefined;
  let directory = '';
  let runs = 0;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'b24chain-library-'));
    emulator = await startEmulatorProcess(['--seed', 'demo']);
  });
  after(async () => {
    await emulator?.stop();
    await rm(directory, { recursive: true, force: true });
  });
  const current = (): EmulatorProcess => {
    assert.ok(emulator, 'the emulator is not started');
    return emulator;
  };
  return {
    get emulator() {
      return current();
    },
    async run(file, args = [], env) {
      runs += 1;
      const database = join(directory, `state-${runs}.db`);
      const cli = await runCli(['run', chainFile(file), '--json', ...args], env ?? webhookEnv(current(), database));
      let report: RunReport | undefined;
      try {
        report = JSON.parse(cli.stdout) as RunReport;
      } catch {
        report = undefined;
      }
      return { cli, report };
    },
    async validate(files) {
      const cli = await runCli(['validate', '--json', ...files.map(chainFile)]);
      const parsed = JSON.parse(cli.stdout) as { files: Array<{ file: string; valid: boolean; scopes: string[]; writes: unknown[]; destructive: unknown[] }> };
      return { cli, files: parsed.files };
    },
    async methodCounts() {
      return (await fetchStats(current().url)).methods as Record<string, number>;
    },
    async read(method, params = {}) {
      const answer = await callMethod(current().webhookUrl, method, params);
      assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer)}`);
      return answer.result;
    },
    async readAsApp(method, params = {}) {
      const response = await fetch(`${current().url}/rest/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...params, auth: current().app.accessToken }),
      });
      const answer = (await response.json()) as { result?: unknown; error?: string };
      assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer)}`);
      return answer.result;
    },
    appEnv() {
      const { app, url } = current();
      runs += 1;
      return {
        B24_DOMAIN: url,
        B24_AUTH_MODE: 'oauth',
        B24_ACCESS_TOKEN: app.accessToken,
        B24_REFRESH_TOKEN: app.refreshToken,
        B24_CLIENT_ID: app.clientId,
        B24_CLIENT_SECRET: app.clientSecret,
        B24_OAUTH_URL: app.serverEndpoint,
        B24_RATE_LIMITER: 'memory',
        B24_DB: join(directory, `state-${runs}.db`),
      };
    },
    async limitedWebhookEnv(scopes) {
      const response = await fetch(`${current().url}/_emulator/apps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'webhook', userId: current().userId, scopes }),
      });
      const webhook = (await response.json()) as { userId: number; code: string };
      runs += 1;
      return webhookEnv({ url: current().url, userId: webhook.userId, code: webhook.code }, join(directory, `state-${runs}.db`));
    },
  };
}
