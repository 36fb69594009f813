/** Options of `startEmulator` and `chain emulator`, resolved once over declared defaults. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /**
   * How many portals this one server serves (1). The first is at the root URL; portal `pN` (N ≥ 2) at
   * `/portal/pN/` (REST, REST 3.0 and `oauth/token/`), each with its own data, bucket, operating budget,
   * credentials and statistics. Every portal gets the seed and the generated leads.
   */
  portals?: number;
  /** `demo` loads a small realistic CRM; `empty` (default) a new portal. */
  seed?: 'demo' | 'empty';
  /** Generate this many extra leads with the seeded generator (benchmarks). */
  leads?: number;
  /** STATUS_ID of every generated lead (default: NEW / IN_PROCESS / PROCESSED / JUNK at random). */
  leadStatus?: string;
  /** Seed of the lead generator and of fault injection. */
  randomSeed?: number;
  /** Leaky bucket drain per second (2; enterprise 5). */
  rate?: number;
  /** Leaky bucket size (50; enterprise 250). */
  burst?: number;
  /** Serve HTTPS with a self-signed certificate made at start. */
  tls?: boolean;
  /** Lifetime of access tokens in seconds (3600). */
  tokenLifetimeSeconds?: number;
  /** Simulated execution time per command, in ms: feeds `time` and the operating budget. */
  executionMs?: { read?: number; write?: number; methods?: Record<string, number> };
  /** Per-method operating budget over 10 minutes, in seconds (480). 0 turns it off. */
  operatingLimitSeconds?: number;
  /**
   * How a batch is charged to the operating budget (protocol.md §3 CONFLICT): `measured` (default,
   * what live portals do) charges the whole batch to `batch` and repeats that figure in every
   * `result_time`; `documented` charges each command to its own method.
   */
  batchCharging?: 'measured' | 'documented';
  /**
   * HTTP status of `INVALID_CREDENTIALS` and `insufficient_scope` (protocol.md §10 CONFLICT): `measured`
   * (default, the server source and live tests) answers 401, `documented` (the docs) 403.
   */
  authErrorStatus?: 'measured' | 'documented';
  /** Answer webhooks over plain HTTP with `INVALID_REQUEST` "Https required." as a real portal does. */
  requireHttpsForWebhooks?: boolean;
  /** The emulator's clock in ms (token expiry, operating budget, dates). Tests inject one. */
  clock?: { now(): number };
  /** Where bugs inside method handlers are reported (default: stderr). They answer 500 either way. */
  onInternalError?: (method: string, error: unknown) => void;
}

export interface ResolvedEmulatorOptions {
  port: number;
  portals: number;
  seed: 'demo' | 'empty';
  leads: number;
  leadStatus: string | undefined;
  randomSeed: number;
  rate: number;
  burst: number;
  tls: boolean;
  tokenLifetimeSeconds: number;
  executionMs: { read: number; write: number; methods: Record<string, number> };
  operatingLimitSeconds: number;
  batchCharging: 'measured' | 'documented';
  authErrorStatus: 'measured' | 'documented';
  requireHttpsForWebhooks: boolean;
  clock: { now(): number };
  onInternalError: (method: string, error: unknown) => void;
}

function printInternalError(method: string, error: unknown): void {
  process.stderr.write(`emulator: internal error in ${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

const defaults = {
  port: 0,
  portals: 1,
  seed: 'empty',
  leads: 0,
  randomSeed: 42,
  rate: 2,
  burst: 50,
  tls: false,
  tokenLifetimeSeconds: 3600,
  operatingLimitSeconds: 480,
  batchCharging: 'measured',
  authErrorStatus: 'measured',
  requireHttpsForWebhooks: false,
} satisfies Partial<ResolvedEmulatorOptions>;

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`emulator: option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}.`);
  }
  return value;
}

export function resolveEmulatorOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const resolved: ResolvedEmulatorOptions = {
    port: positive('port', options.port ?? defaults.port, true),
    portals: positive('portals', options.portals ?? defaults.portals),
    seed: options.seed ?? defaults.seed,
    leads: positive('leads', options.leads ?? defaults.leads, true),
    leadStatus: options.leadStatus,
    randomSeed: options.randomSeed ?? defaults.randomSeed,
    rate: positive('rate', options.rate ?? defaults.rate),
    burst: positive('burst', options.burst ?? defaults.burst),
    tls: options.tls ?? defaults.tls,
    tokenLifetimeSeconds: positive('tokenLifetimeSeconds', options.tokenLifetimeSeconds ?? defaults.tokenLifetimeSeconds),
    executionMs: {
      read: positive('executionMs.read', options.executionMs?.read ?? 0, true),
      write: positive('executionMs.write', options.executionMs?.write ?? 0, true),
      methods: Object.fromEntries(Object.entries(options.executionMs?.methods ?? {}).map(([name, ms]) => [name.toLowerCase(), ms])),
    },
    operatingLimitSeconds: positive('operatingLimitSeconds', options.operatingLimitSeconds ?? defaults.operatingLimitSeconds, true),
    batchCharging: options.batchCharging ?? defaults.batchCharging,
    authErrorStatus: options.authErrorStatus ?? defaults.authErrorStatus,
    requireHttpsForWebhooks: options.requireHttpsForWebhooks ?? defaults.requireHttpsForWebhooks,
    clock: options.clock ?? { now: () => Date.now() },
    onInternalError: options.onInternalError ?? printInternalError,
  };
  if (!Number.isInteger(resolved.portals)) throw new RangeError(`emulator: option portals must be a whole number, got ${resolved.portals}.`);
  if (resolved.seed !== 'demo' && resolved.seed !== 'empty') {
    throw new RangeError(`emulator: option seed must be "demo" or "empty", got ${String(resolved.seed)}.`);
  }
  if (resolved.batchCharging !== 'measured' && resolved.batchCharging !== 'documented') {
    throw new RangeError(`emulator: option batchCharging must be "measured" or "documented".`);
  }
  if (resolved.authErrorStatus !== 'measured' && resolved.authErrorStatus !== 'documented') {
    throw new RangeError(`emulator: option authErrorStatus must be "measured" or "documented".`);
  }
  return resolved;
}

/** Realistic execution times for benchmarks: a few ms per read, tens per write (DESIGN.md §9). */
export const realisticExecutionMs = { read: 4, write: 30 } as const;
