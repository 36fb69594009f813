/**
 * Runs a side process (bench/sdk/*-with-b24jssdk.ts) in its own Node process, so its CPU and memory are
 * its own: `NODE_EXTRA_CA_CERTS` points at the emulator's certificate, the process ends itself at the
 * bound with the figures so far, and is killed 60 s after the bound if it does not. Never rejects: a
 * process that printed no figures comes back with `stopped` saying what happened.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { redactSecrets, registerSecret } from '../../src/errors/redact-secrets.ts';
import type { SideFigures } from './process-meter.ts';

export interface SideProcessOptions {
  webhookUrl: string;
  certificatePath: string;
  /** Rows to read or leads to create. */
  count: number;
  boundMs: number;
}

const killGraceMs = 60_000;

/** The installed `@bitrix24/b24jssdk` version, or undefined when the dev dependency is missing. */
export function installedSdkVersion(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url)('@bitrix24/b24jssdk/package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

function lastJsonLine(text: string): SideFigures | undefined {
  const line = text
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('{'));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as SideFigures;
  } catch {
    return undefined;
  }
}

function noFigures(stopped: string, wallMs: number): SideFigures {
  return { done: 0, wallMs: Math.round(wallMs), cpuMs: 0, baselineRssMb: 0, peakRssMb: 0, stopped };
}

/** `scriptName` is a file in this folder, e.g. `read-with-b24jssdk.ts`. */
export function runSideProcess(scriptName: string, options: SideProcessOptions): Promise<SideFigures> {
  const scriptPath = fileURLToPath(new URL(scriptName, import.meta.url));
  const args = ['--import', 'tsx', scriptPath, '--webhook', options.webhookUrl, '--count', String(options.count), '--bound-ms', String(options.boundMs)];
  const code = new URL(options.webhookUrl).pathname.split('/').filter(Boolean)[2];
  if (code !== undefined) registerSecret(code);
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: options.certificatePath },
  });
  let stdout = '';
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk).slice(-600);
  });
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.boundMs + killGraceMs);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      clearTimeout(killer);
      resolve(noFigures(`could not start: ${error.message}`, performance.now() - started));
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      const figures = lastJsonLine(stdout);
      if (figures !== undefined) return resolve(figures);
      const wallMs = performance.now() - started;
      if (killed) return resolve(noFigures(`killed ${killGraceMs / 1000} s after the bound; no figures`, wallMs));
      const lastError = redactSecrets(stderrTail).trim().split('\n').slice(-2).join(' ').slice(0, 300);
      return resolve(noFigures(`exited (${signal ?? `code ${code}`}) without figures: ${lastError}`, wallMs));
    });
  });
}
