/** The worker's options over declared defaults, validated once, with messages that name the bad value. */
import type { Clock } from '../util/index.ts';
import { systemClock } from '../util/index.ts';
import { EventsRefusedError } from './event-errors.ts';

export interface WorkerSettings {
  /** Rows per `event.offline.get` (50). */
  limit?: number;
  /** Retries after the first failed attempt (5): a row failing 6 times goes to the dead-letter table. */
  maxRetries?: number;
  /** Sleep between polls when the queue is empty (3 s). */
  pollIntervalMs?: number;
  /** Drain what is there (retries included), then stop. */
  once?: boolean;
  /** `auth_connector` of the binding: the handler's writes carry it, so they do not come back as events. */
  authConnector?: string;
  /** Batches of the handler in flight (4). */
  concurrency?: number;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  clock?: Clock;
}

export type ResolvedWorkerSettings = Required<WorkerSettings>;

export const workerDefaults = {
  limit: 50,
  maxRetries: 5,
  pollIntervalMs: 3_000,
  once: false,
  authConnector: '',
  concurrency: 4,
  confirmWrite: false,
  confirmDestructive: false,
} satisfies Omit<ResolvedWorkerSettings, 'clock'>;

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EventsRefusedError(`${name} ${value}: expected a whole number from ${min} to ${max} (WORKER_OPTION_INVALID).`, {
      code: 'WORKER_OPTION_INVALID',
      hint: `Pass ${name} with a value from ${min} to ${max}.`,
    });
  }
  return value;
}

export function resolveWorkerSettings(settings: WorkerSettings = {}): ResolvedWorkerSettings {
  const authConnector = (settings.authConnector ?? workerDefaults.authConnector).trim();
  if (authConnector.length > 64 || /[^\w.:-]/.test(authConnector)) {
    throw new EventsRefusedError(
      `--auth-connector ${JSON.stringify(authConnector)}: expected up to 64 letters, digits, '_', '.', ':' or '-' (WORKER_OPTION_INVALID).`,
      { code: 'WORKER_OPTION_INVALID', hint: 'Use a short name for the sync channel, e.g. --auth-connector erp-sync.' },
    );
  }
  return {
    limit: integerIn('--limit', settings.limit ?? workerDefaults.limit, 1, 1000),
    maxRetries: integerIn('--max-retries', settings.maxRetries ?? workerDefaults.maxRetries, 0, 100),
    pollIntervalMs: integerIn('--poll-interval (ms)', settings.pollIntervalMs ?? workerDefaults.pollIntervalMs, 0, 86_400_000),
    once: settings.once ?? workerDefaults.once,
    authConnector,
    concurrency: integerIn('--concurrency', settings.concurrency ?? workerDefaults.concurrency, 1, 16),
    confirmWrite: settings.confirmWrite ?? workerDefaults.confirmWrite,
    confirmDestructive: settings.confirmDestructive ?? workerDefaults.confirmDestructive,
    clock: settings.clock ?? systemClock,
  };
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `3s`, `500ms`, `2m`, `1h`, or a bare number of seconds → milliseconds. Pure. */
export function parseDuration(text: string, name = '--poll-interval'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) {
    throw new EventsRefusedError(`${name} ${JSON.stringify(text)}: expected a duration such as 3s, 500ms or 2m (WORKER_OPTION_INVALID).`, {
      code: 'WORKER_OPTION_INVALID',
      hint: `Pass ${name} 3s.`,
    });
  }
  const unit = (match[2] ?? 's').toLowerCase();
  return Math.round(Number(match[1]) * (UNITS[unit] ?? 1000));
}
