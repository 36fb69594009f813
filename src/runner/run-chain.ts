/**
 * Runs a validated chain (DESIGN.md §3–§5): gates first (confirmations, plan, scopes) so a refusal
 * sends nothing; then each step in order, checkpointed so that `resume` continues where it stopped;
 * unknown write outcomes reconciled before anything is re-sent.
 */
import { isInterruptedError } from '../errors/index.ts';
import type { ChainDefinition, ChainSummary } from '../chain/index.ts';
import { executeCallStep } from './execute-call-step.ts';
import { reconcileWrites } from './reconcile-writes.ts';
import { prepareRun, type ResolvedRunOptions } from './prepare-run.ts';
import { RunRefusedError } from './run-errors.ts';
import type { ItemStatus, RunRecord, RunStatus, RunStore } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import type { LeaseOwner, LeaseStore } from '../store/index.ts';
import { startOwnedRun } from './run-ownership.ts';
import { sendStepBatch } from './send-step-batch.ts';
import { formatResumeCommand } from './resume-command.ts';
import { sendItemBatch } from './send-item-batch.ts';
import { emptyItemCounts, walkChain, type RunEvent, type WalkEffects } from './walk-chain.ts';

export interface RunOptions {
  chain: ChainDefinition;
  chainPath: string;
  chainSha256: string;
  summary: ChainSummary;
  inputs: Record<string, unknown>;
  client: PortalClient;
  store: RunStore;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  /** Batches in flight, 1 to 16 (default 4). */
  concurrency?: number;
  /** Refuse a run that writes without `planId` (PLAN_REQUIRED); the CLI sets it from `B24_REQUIRE_PLAN=1`. */
  requirePlan?: boolean;
  /** Ctrl-C: batches in flight finish, nothing more is sent, the run is resumable (exit 3). */
  stopSignal?: AbortSignal;
  /** Continue this run instead of starting one. */
  resume?: RunRecord;
  /** `--resolve ITEM=sent|not-sent` decisions for unknown outcomes. */
  resolutions?: ReadonlyMap<string, 'sent' | 'not-sent'>;
  /** A plan-bound run writes only the planned item keys (per for_each step id). */
  plannedKeys?: ReadonlyMap<string, ReadonlySet<string>>;
  planId?: string | null;
  onEvent?: (event: RunEvent) => void;
  /** Who owns the run while this call works on it (default: this process) and where leases live (default: the run store's database). */
  owner?: LeaseOwner;
  leases?: LeaseStore;
  /** Flags a later `chain resume` needs besides the run id (`--portal NAME`, `--db PATH`); confirmations are added from the chain. */
  resumeFlags?: readonly string[];
  /** Refuse to start while the chain has an unfinished run on the portal (true); event handlers start one run per event batch. */
  unfinishedGuard?: boolean;
}

export type { RunEvent } from './walk-chain.ts';

export interface RunOutcome {
  run: RunRecord;
  status: RunStatus;
  outputs: Record<string, unknown>;
  items: Record<ItemStatus, number>;
  steps: Record<string, { status: string; count?: number }>;
  rows: number;
  unknownOutcomes: Array<{ stepId: string; itemKey: string; subStepId: string; method: string }>;
  /** Writes found sent-but-unanswered when a resume started, and looked up before anything was re-sent. */
  reconciled: number;
  error?: { code: string; message: string; hint?: string; name?: string };
  /** The run stopped on a refusal (missing scope, bad batch reference) rather than a portal error. */
  refused?: boolean;
}

/** Exit code of a run outcome (DESIGN.md §1). */
export function runExitCode(outcome: Pick<RunOutcome, 'status' | 'refused'>): 0 | 1 | 2 | 3 {
  if (outcome.status === 'done') return 0;
  if (outcome.status === 'interrupted' || outcome.status === 'awaiting_decision') return 3;
  return outcome.refused ? 2 : 1;
}

const USER_SCOPE_ALIASES = ['user', 'user_brief', 'user_basic'];

/** The scopes the credentials hold: the first request of every run and resume, so bad credentials fail it. */
async function grantedScopes(client: PortalClient): Promise<Set<string>> {
  const answer = await client.call('scope', {}, { write: false });
  return new Set(Array.isArray(answer.result) ? answer.result.map(String) : []);
}

function checkScopes(granted: ReadonlySet<string>, summary: ChainSummary): void {
  const missing = summary.scopes.filter(
    (scope) => scope !== 'basic' && !granted.has(scope) && !(scope === 'user' && USER_SCOPE_ALIASES.some((alias) => granted.has(alias))),
  );
  if (missing.length > 0) {
    throw new RunRefusedError(
      `The credentials lack the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} this chain needs; nothing was written (INSUFFICIENT_SCOPE).`,
      {
        code: 'INSUFFICIENT_SCOPE',
        hint: `Reissue the webhook or reinstall the application with ${missing.join(', ')}.`,
      },
    );
  }
}

/**
 * Runs (or resumes) a chain as the run's one live owner (DESIGN.md §11). Refusals come before any
 * request (`prepare-run.ts`): bad options, the run's rules (CHAIN_CHANGED, CONFIRMATION_REQUIRED,
 * PLAN_REQUIRED, PORTAL_MISMATCH), a live owner of the run (RUN_IN_PROGRESS), an unfinished run of the
 * same chain (RUN_UNFINISHED). Then the credentials are tried (`scope`) before anything is recorded, so a wrong
 * webhook code or a rejected token leaves no run to resume (nor an interrupted one changed). The lease
 * is renewed while the run works and released at the end; a process that lost it stops before its next
 * checkpoint.
 */
export async function runChain(runOptions: RunOptions): Promise<RunOutcome> {
  const { options, newRun, claimed } = prepareRun(runOptions);
  const { client, store } = options;
  let granted: Set<string>;
  try {
    granted = await grantedScopes(client);
  } catch (error) {
    if (claimed && options.resume) {
      store.setStatus(claimed.run.id, options.resume.status);
      claimed.release();
    }
    throw error;
  }
  const owned = claimed ?? startOwnedRun(store, options.leases, options.owner, options.unfinishedGuard, newRun);
  const stopSignal = options.stopSignal ? AbortSignal.any([options.stopSignal, owned.keeper.lost]) : owned.keeper.lost;
  try {
    return await runOwnedChain({ ...options, stopSignal }, owned.run, granted);
  } finally {
    owned.release();
  }
}

async function runOwnedChain(options: ResolvedRunOptions & { stopSignal: AbortSignal }, run: RunRecord, granted: ReadonlySet<string>): Promise<RunOutcome> {
  const { chain, client, store, summary } = options;
  const hasWrites = summary.writes.length + summary.destructive.length > 0;
  options.onEvent?.({ type: 'started', runId: run.id, resumed: options.resume !== undefined });
  const outcome: RunOutcome = { run, status: 'running', outputs: {}, items: emptyItemCounts(), steps: {}, rows: 0, unknownOutcomes: [], reconciled: 0 };

  const finish = (status: RunStatus, error?: RunOutcome['error']): RunOutcome => {
    outcome.status = status;
    if (error) outcome.error = error;
    store.setStatus(run.id, status, error ? error.message : null);
    outcome.run = store.getRun(run.id) as RunRecord;
    return outcome;
  };

  try {
    if (options.resume) {
      const { unresolved, reconciled } = await reconcilePending(options, run);
      outcome.reconciled = reconciled;
      if (unresolved.length > 0) {
        outcome.unknownOutcomes = unresolved;
        return finish('awaiting_decision', {
          code: 'OUTCOME_UNKNOWN',
          message: `${unresolved.length} write(s) may or may not have reached the portal.`,
          hint: `Decide with: ${formatResumeCommand(run, ['--resolve', 'ITEM=sent|not-sent'])}`,
        });
      }
    }
    if (hasWrites) checkScopes(granted, summary);
    const effects: WalkEffects = {
      callStep: (step, params) => executeCallStep(step, params, { runId: run.id, client, store, resolution: options.resolutions?.get(step.id) }),
      batchStep: (step, commands, batchOptions) => sendStepBatch(run.id, client, step, commands, batchOptions),
      itemBatch: (step, members) => sendItemBatch({ runId: run.id, step, client, store, members }),
    };
    const walked = await walkChain(
      {
        chain,
        inputs: options.inputs,
        client,
        runId: run.id,
        checkpoints: store,
        effects,
        concurrency: options.concurrency,
        stopSignal: options.stopSignal,
        plannedKeys: options.plannedKeys,
        onEvent: options.onEvent,
        resumeCommand: (extra) => formatResumeCommand(run, extra),
      },
      outcome,
    );
    return finish(walked.status, walked.error);
  } catch (error) {
    if (isInterruptedError(error) && options.stopSignal.aborted) return finish('interrupted'); // stopped while waiting on the limiter: nothing sent
    const failure = error as { code?: string; message?: string; hint?: string };
    if (error instanceof RunRefusedError) outcome.refused = true;
    const name = error instanceof Error ? error.name : 'Error';
    return finish('failed', {
      name,
      code: failure.code ?? 'ERROR',
      message: failure.message ?? String(error),
      ...(failure.hint ? { hint: failure.hint } : {}),
    });
  }
}

/** Resume: every write recorded as sent but never answered is looked up before anything is re-sent. */
async function reconcilePending(
  options: RunOptions,
  run: RunRecord,
): Promise<{ unresolved: Array<{ stepId: string; itemKey: string; subStepId: string; method: string }>; reconciled: number }> {
  const { store, client } = options;
  const sent = store.sentSubSteps(run.id);
  if (sent.length === 0) return { unresolved: [], reconciled: 0 };
  const decided = sent.filter((entry) => options.resolutions?.has(entry.itemKey));
  for (const entry of decided) {
    const decision = options.resolutions?.get(entry.itemKey);
    store.record(
      run.id,
      [
        {
          stepId: entry.stepId,
          itemKey: entry.itemKey,
          subStepId: entry.subStepId,
          method: entry.method,
          status: decision === 'sent' ? 'done' : 'pending',
          result: null,
        },
      ],
      [],
    );
  }
  const open = sent.filter((entry) => !options.resolutions?.has(entry.itemKey));
  const verdicts = await reconcileWrites(
    client,
    open.map((entry, index) => ({ id: String(index), method: entry.method, params: entry.params })),
  );
  const unresolved: Array<{ stepId: string; itemKey: string; subStepId: string; method: string }> = [];
  open.forEach((entry, index) => {
    const verdict = verdicts.get(String(index));
    const base = { stepId: entry.stepId, itemKey: entry.itemKey, subStepId: entry.subStepId, method: entry.method };
    if (verdict?.status === 'done') store.record(run.id, [{ ...base, status: 'done', result: verdict.result }], []);
    else if (verdict?.status === 'not_sent') store.record(run.id, [{ ...base, status: 'pending' }], []);
    else unresolved.push(base);
  });
  return { unresolved, reconciled: sent.length };
}
