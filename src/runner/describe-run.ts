/**
 * What `chain status` reports of a run: who owns it (a live owner, or none: interrupted), its items and
 * cursors, and the writes whose outcome is unknown, split into those a resume looks up by natural key
 * (or safely re-sends) by itself and those that truly need a `--resolve` decision.
 */
import type { LeaseStore } from '../store/index.ts';
import { naturalKeyLookup } from './reconcile-writes.ts';
import { formatResumeCommand } from './resume-command.ts';
import { describeRunOwner } from './run-ownership.ts';
import type { RunRecord, RunStore, UnknownOutcome } from '../store/index.ts';

export interface RunDescription {
  runId: string;
  chain: { name: string; path: string; sha256: string };
  portal: string;
  /** `running` only while a live process owns the run; a run whose owner died reads `interrupted`. */
  status: string;
  live: boolean;
  owner: { pid: number; host: string; since: string; heartbeatAt: string } | null;
  inputs: Record<string, unknown>;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  items: Record<string, Record<string, number>>;
  cursors: Array<{ stepId: string; cursor: unknown; pages: number; rows: number; finished: boolean }>;
  /** Writes sent whose answer was lost, that need `--resolve ITEM=sent|not-sent`. */
  unknownOutcomes: UnknownOutcome[];
  /** Writes sent whose answer was lost, that the next resume looks up by natural key (or re-sends safely) by itself. */
  reconciledOnResume: UnknownOutcome[];
  lastError: string | null;
  resumeCommand?: string;
}

export function describeRun(store: RunStore, leases: LeaseStore, run: RunRecord): RunDescription {
  const ownership = describeRunOwner(leases, run);
  const sent = [
    ...store
      .sentSteps(run.id)
      .map((entry) => ({ stepId: entry.stepId, itemKey: entry.stepId, subStepId: entry.stepId, method: entry.method, params: entry.params })),
    ...store.sentSubSteps(run.id),
  ];
  const unknownOutcomes: UnknownOutcome[] = [];
  const reconciledOnResume: UnknownOutcome[] = [];
  for (const { params, ...entry } of sent) {
    (entry.method !== '' && naturalKeyLookup(entry.method, params) !== undefined ? reconciledOnResume : unknownOutcomes).push(entry);
  }
  const status = run.status === 'running' && !ownership.live ? 'interrupted' : run.status;
  return {
    runId: run.id,
    chain: { name: run.chainName, path: run.chainPath, sha256: run.chainSha256 },
    portal: run.portal,
    status,
    live: ownership.live,
    owner: ownership.owner ?? null,
    inputs: run.inputs,
    startedAt: new Date(run.startedAt).toISOString(),
    updatedAt: new Date(run.updatedAt).toISOString(),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    items: store.countItems(run.id),
    cursors: store.cursors(run.id),
    unknownOutcomes,
    reconciledOnResume,
    lastError: run.lastError,
    ...(run.status === 'done' || ownership.live ? {} : { resumeCommand: formatResumeCommand(run) }),
  };
}
