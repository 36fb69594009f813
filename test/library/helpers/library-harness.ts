/**
 * What the chain-library tests share: one emulator process per test file (empty seed, limits out of
 * the way), the real `chain` binary run against it as a user would (`run --json`, `validate --json`),
 * a webhook that lacks one scope, and plain-HTTP reads of the portal independent of the client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_SCOPES } from '../../../src/emulator/credentials.ts';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../../helpers/emulator-process.ts';
import { callMethod } from '../../helpers/portal-reader.ts';
import { runCli, webhookEnv } from '../../helpers/run-cli.ts';

export function libraryChain(pack: string, name: string): string {
  return fileURLToPath(new URL(`../../../chains/${pack}/${name}`, import.meta.url));
}

export function startLibraryEmulator(): Promise<EmulatorProcess> {
  return startEmulatorProcess(['--seed', 'empty', '--rate', '10000', '--burst', '10000']);
}

let databases = 0;
const directory = mkdtempSync(join(tmpdir(), 'b24chain-library-'));

/** A fresh state database per run, so one run's unfinished-run guard never meets another's. */
function freshDatabase(): string {
  databases += 1;
  return join(directory, `state-${databases}.db`);
}

export type Credentials = Record<string, string>;

export function webhookCredentials(emulator: EmulatorProcess): Credentials {
  return { ...webhookEnv(emulator, ''), B24_RATE_LIMITER_RATE: '10000', B24_RATE_LIMITER_BURST: '10000' };
}

export function applicationCredentials(emulator: EmulatorProcess): Credentials {
  return {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'oauth',
    B24_ACCESS_TOKEN: emulator.app.accessToken,
    B24_REFRESH_TOKEN: emulator.app.refreshToken,
    B24_CLIENT_ID: emulator.app.clientId,
    B24_CLIENT_SECRET: emulator.app.clientSecret,
    B24_OAUTH_URL: emulator.app.serverEndpoint,
    B24_RATE_LIMITER: 'memory',
    B24_RATE_LIMITER_RATE: '10000',
    B24_RATE_LIMITER_BURST: '10000',
  };
}

/** A second webhook on the same portal with every scope but `missing`. */
export async function webhookWithout(emulator: EmulatorProcess, missing: string): Promise<Credentials> {
  const response = await fetch(`${emulator.url}/_emulator/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'webhook', scopes: ALL_SCOPES.filter((scope) => scope !== missing) }),
  });
  const webhook = (await response.json()) as { userId: number; code: string };
  return { ...webhookCredentials(emulator), B24_WEBHOOK_USER_ID: String(webhook.userId), B24_WEBHOOK_CODE: webhook.code };
}

export interface ChainRun {
  code: number | null;
  stderr: string;
  stdout: string;
  /** The `--json` document (undefined when stdout was not JSON). */
  report: { status?: string; outputs?: Record<string, unknown>; errors?: Array<{ code?: string; message?: string }>; [key: string]: unknown } | undefined;
}

export async function runChain(file: string, credentials: Credentials, ...args: string[]): Promise<ChainRun> {
  const result = await runCli(['run', file, '--json', ...args], { ...credentials, B24_DB: freshDatabase() });
  let report: ChainRun['report'];
  try {
    report = JSON.parse(result.stdout) as ChainRun['report'];
  } catch {
    report = undefined;
  }
  return { code: result.code, stderr: result.stderr, stdout: result.stdout, report };
}

export interface ValidateReport {
  valid: boolean;
  problems: unknown[];
  scopes: string[];
  writes: string[];
  destructive: string[];
}

/** `chain validate --json` of several files in one process: its exit code and each file's report. */
export async function validateChains(...files: string[]): Promise<{ code: number | null; reports: ValidateReport[] }> {
  const result = await runCli(['validate', ...files, '--json']);
  const parsed = JSON.parse(result.stdout) as {
    files: Array<{ valid: boolean; problems: unknown[]; scopes: string[]; writes: Array<{ method: string }>; destructive: Array<{ method: string }> }>;
  };
  return {
    code: result.code,
    reports: parsed.files.map((report) => ({
      valid: report.valid,
      problems: report.problems,
      scopes: report.scopes,
      writes: report.writes.map((use) => use.method),
      destructive: report.destructive.map((use) => use.method),
    })),
  };
}

/** Runs any other `chain` command with the credentials and a fresh state database. */
export function runChainCommand(args: string[], credentials: Credentials): ReturnType<typeof runCli> {
  return runCli(args, { ...credentials, B24_DB: freshDatabase() });
}

/** Executions per method (lower case) the portal has served so far. */
export async function methodCounts(emulator: EmulatorProcess): Promise<Record<string, number>> {
  const stats = await fetchStats(emulator.url);
  return (stats.methods ?? {}) as Record<string, number>;
}

/** How many write commands of the given methods the portal executed so far. */
export async function executed(emulator: EmulatorProcess, ...methods: string[]): Promise<number> {
  const counts = await methodCounts(emulator);
  return methods.reduce((sum, method) => sum + (counts[method.toLowerCase()] ?? 0), 0);
}

/** One call through the portal's main webhook, failing loudly on a REST error. */
export async function portalCall(emulator: EmulatorProcess, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const answer = await callMethod(emulator.webhookUrl, method, params);
  if (answer.error) throw new Error(`${method}: ${answer.error} ${JSON.stringify(answer)}`);
  return answer.result;
}

/** One call with the installed application's token (event.* and other app-only methods). */
export async function applicationCall(emulator: EmulatorProcess, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${emulator.url}/rest/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, auth: emulator.app.accessToken }),
  });
  const answer = (await response.json()) as { result?: unknown; error?: string };
  if (answer.error) throw new Error(`${method}: ${answer.error}`);
  return answer.result;
}
