/**
 * Everything a run must pass before its first request, for every caller (the CLI, the MCP server, the
 * events worker, a library user): options resolved over defaults and bounded (`resolveRunOptions`),
 * then the run's business rules (`checkRunPreconditions`): the chain file unchanged since the run
 * started (CHAIN_CHANGED), confirmations for writes (CONFIRMATION_REQUIRED), a plan when one is required
 * (PLAN_REQUIRED), the same portal (PORTAL_MISMATCH); then the run claimed or refused while another of
 * the same chain is unfinished (RUN_IN_PROGRESS, RUN_UNFINISHED). The library reads no environment:
 * the CLI passes `requirePlan` from `B24_REQUIRE_PLAN`.
 */
import { maskSecretInputs, type ChainSummary } from '../chain/index.ts';
import { SqliteLeaseStore } from '../store/index.ts';
import type { RunOptions } from './run-chain.ts';
import { ConfirmationRequiredError, RunRefusedError } from './run-errors.ts';
import { claimRun, processOwner, refuseUnfinished, type OwnedRun } from './run-ownership.ts';
import type { NewRun, RunRecord } from '../store/index.ts';

/** Batches in flight: the CLI's `--concurrency` bounds, for every caller. */
export const CONCURRENCY_BOUNDS = { min: 1, max: 16 } as const;

export const runDefaults = {
  concurrency: 4,
  confirmWrite: false,
  confirmDestructive: false,
  requirePlan: false,
  unfinishedGuard: true,
  planId: null,
  resumeFlags: [],
} as const satisfies Partial<RunOptions>;

type Defaulted = 'concurrency' | 'confirmWrite' | 'confirmDestructive' | 'requirePlan' | 'unfinishedGuard' | 'resumeFlags' | 'owner' | 'leases';

/** `RunOptions` with every default applied and every bound checked. */
export type ResolvedRunOptions = Omit<RunOptions, Defaulted | 'planId'> & Required<Pick<RunOptions, Defaulted>> & { planId: string | null };

/** Applies the defaults and checks the bounds; refuses a bad value by name (RUN_OPTION_INVALID). */
export function resolveRunOptions(options: RunOptions): ResolvedRunOptions {
  const concurrency = options.concurrency ?? runDefaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < CONCURRENCY_BOUNDS.min || concurrency > CONCURRENCY_BOUNDS.max) {
    throw new RunRefusedError(
      `concurrency ${concurrency}: expected a whole number from ${CONCURRENCY_BOUNDS.min} to ${CONCURRENCY_BOUNDS.max} (RUN_OPTION_INVALID).`,
      {
        code: 'RUN_OPTION_INVALID',
        hint: `Pass concurrency (--concurrency) from ${CONCURRENCY_BOUNDS.min} to ${CONCURRENCY_BOUNDS.max}; the default is ${runDefaults.concurrency}.`,
      },
    );
  }
  return {
    ...options,
    concurrency,
    confirmWrite: options.confirmWrite ?? runDefaults.confirmWrite,
    confirmDestructive: options.confirmDestructive ?? runDefaults.confirmDestructive,
    requirePlan: options.requirePlan ?? runDefaults.requirePlan,
    unfinishedGuard: options.unfinishedGuard ?? runDefaults.unfinishedGuard,
    planId: options.planId ?? runDefaults.planId,
    resumeFlags: options.resumeFlags ?? runDefaults.resumeFlags,
    owner: options.owner ?? processOwner(),
    leases: options.leases ?? new SqliteLeaseStore(options.store.db),
  };
}

/** Refuses before any request when a write or destructive step lacks its confirmation flag. */
export function checkWriteGates(summary: ChainSummary, options: { confirmWrite?: boolean; confirmDestructive?: boolean }): void {
  const toPlanned = (use: ChainSummary['writes'][number], risk: 'write' | 'destructive') => ({
    step: use.parent ? `${use.parent}.${use.step}` : use.step,
    method: use.method,
    risk,
  });
  if (summary.destructive.length > 0 && !options.confirmDestructive) {
    throw new ConfirmationRequiredError(
      summary.destructive.map((use) => toPlanned(use, 'destructive')),
      '--confirm-destructive',
    );
  }
  const writes = [...summary.writes.map((use) => toPlanned(use, 'write')), ...summary.destructive.map((use) => toPlanned(use, 'destructive'))];
  if (writes.length > 0 && !options.confirmWrite) throw new ConfirmationRequiredError(writes, '--confirm-write');
}

export interface RunPreconditions {
  /** The chain file as the user named it (messages start with it). */
  chainPath: string;
  chainSha256: string;
  summary: ChainSummary;
  resume?: RunRecord | undefined;
  planId?: string | null | undefined;
  requirePlan?: boolean | undefined;
  confirmWrite?: boolean | undefined;
  confirmDestructive?: boolean | undefined;
  /** The portal the client talks to; PORTAL_MISMATCH is checked only when given (the CLI checks the rest before connecting). */
  portalKey?: string | undefined;
}

/** The run's business rules, in the order a user meets them; throws the first refusal. Sends nothing. */
export function checkRunPreconditions(preconditions: RunPreconditions): void {
  const { chainPath, resume, summary } = preconditions;
  if (resume && resume.chainSha256 !== preconditions.chainSha256) {
    throw new RunRefusedError(`${chainPath}: the chain file changed since run ${resume.id} started (CHAIN_CHANGED).`, {
      code: 'CHAIN_CHANGED',
      hint: 'Restore the file as it was, or start a new run with chain run (the old run stays as it is).',
    });
  }
  checkWriteGates(summary, { confirmWrite: preconditions.confirmWrite === true, confirmDestructive: preconditions.confirmDestructive === true });
  const hasWrites = summary.writes.length + summary.destructive.length > 0;
  if (!resume && hasWrites && !preconditions.planId && preconditions.requirePlan === true) {
    throw new RunRefusedError(`${chainPath}: B24_REQUIRE_PLAN=1 and this chain writes; a plan is required (PLAN_REQUIRED).`, {
      code: 'PLAN_REQUIRED',
      hint: `Run chain plan ${chainPath} first, then chain run ${chainPath} --plan ID --confirm-write.`,
    });
  }
  if (resume && preconditions.portalKey !== undefined && resume.portal !== preconditions.portalKey) {
    throw new RunRefusedError(`Run ${resume.id} belongs to portal ${resume.portal}, not ${preconditions.portalKey} (PORTAL_MISMATCH).`, {
      code: 'PORTAL_MISMATCH',
      hint: 'Resume with the credentials of the portal the run started on.',
    });
  }
}

export interface PreparedRun {
  options: ResolvedRunOptions;
  /** The run to create when this is not a resume. */
  newRun: NewRun;
  /** A resumed run, claimed for this process. */
  claimed?: OwnedRun;
}

/** Resolves the options, checks every precondition, and claims the resumed run (or refuses an unfinished one). */
export function prepareRun(options: RunOptions): PreparedRun {
  const resolved = resolveRunOptions(options);
  const { chain, client, store, summary } = resolved;
  checkRunPreconditions({ ...resolved, portalKey: client.portalKey });
  const confirmations = [
    ...(summary.writes.length + summary.destructive.length > 0 ? ['--confirm-write'] : []),
    ...(summary.destructive.length > 0 ? ['--confirm-destructive'] : []),
  ];
  const newRun: NewRun = {
    portal: client.portalKey,
    chainName: chain.name,
    chainPath: resolved.chainPath,
    chainSha256: resolved.chainSha256,
    inputs: maskSecretInputs(chain, resolved.inputs),
    planId: resolved.planId,
    resumeFlags: [...confirmations, ...resolved.resumeFlags],
  };
  if (resolved.resume) return { options: resolved, newRun, claimed: claimRun(store, resolved.leases, resolved.owner, resolved.resume) };
  if (resolved.unfinishedGuard) refuseUnfinished(store, resolved.leases, newRun);
  return { options: resolved, newRun };
}
