/**
 * The plumbing of a side process (a script that drives one client against the emulator): its
 * arguments, the time bound that ends it with the figures measured so far, and the one JSON line of
 * `SideFigures` it prints on stdout for `runSideProcess`.
 */
import { writeSync } from 'node:fs';
import { redactSecrets, registerSecret } from '../../src/errors/redact-secrets.ts';
import type { ProcessMeter, SideFigures } from './process-meter.ts';

export interface SideArguments {
  webhookUrl: string;
  /** Rows to read or leads to create. */
  count: number;
  /** The run is ended, figures printed, after this many ms. */
  boundMs: number;
}

function argument(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (value === undefined) {
    throw new Error(
      `${process.argv[1] ?? 'side process'}: missing --${name} (MISSING_ARGUMENT). Start it through runSideProcess, which passes --webhook, --count and --bound-ms.`,
    );
  }
  return value;
}

export function readSideArguments(): SideArguments {
  const webhookUrl = argument('webhook');
  const code = new URL(webhookUrl).pathname.split('/').filter(Boolean)[2];
  if (code !== undefined) registerSecret(code);
  return { webhookUrl, count: Number(argument('count')), boundMs: Number(argument('bound-ms')) };
}

/** Prints the figures as one JSON line and ends the process (the client may still hold sockets and timers). */
export function reportAndExit(figures: SideFigures): never {
  writeSync(1, `${JSON.stringify(figures)}\n`);
  process.exit(0);
}

/** `CODE: message` of whatever a client threw, with secrets masked. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return redactSecrets(`${typeof code === 'string' && code !== '' ? `${code}: ` : ''}${error.message}`);
  }
  return redactSecrets(String(error));
}

/**
 * Ends the run at the bound with the figures so far; `progress` says how much was done. Returns a
 * function that cancels the bound (call it when the run finishes in time).
 */
export function endAtBound(meter: ProcessMeter, boundMs: number, progress: () => number): () => void {
  const timer = setTimeout(() => {
    reportAndExit(meter.finish(progress(), { stopped: `still running at the ${Math.round(boundMs / 1000)} s bound` }));
  }, boundMs);
  return () => clearTimeout(timer);
}
