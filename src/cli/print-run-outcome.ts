/** Prints a run's outcome: one JSON document for agents (schemas/run-result.schema.json) or a summary for people. */
import { runExitCode, type RunOutcome } from '../runner/index.ts';
import { formatResumeCommand } from '../runner/index.ts';

export interface RunReport {
  outcome: RunOutcome;
  chain: { name: string; path: string; sha256: string };
  counts: { requests: number; commands: number; limiterWaitMs: number; retries: number };
  durationMs: number;
}

export function runResultDocument(report: RunReport): Record<string, unknown> {
  const { outcome } = report;
  const exitCode = runExitCode(outcome);
  const needsResume = outcome.status === 'interrupted' || outcome.status === 'awaiting_decision' || (outcome.status === 'failed' && !outcome.refused);
  return {
    runId: outcome.run.id,
    status: outcome.status,
    exitCode,
    chain: report.chain,
    portal: outcome.run.portal,
    counts: {
      requests: report.counts.requests,
      commands: report.counts.commands,
      limiterWaitMs: report.counts.limiterWaitMs,
      retries: report.counts.retries,
      rows: outcome.rows,
      reconciled: outcome.reconciled,
      items: Object.fromEntries(Object.entries(outcome.items).filter(([status]) => status !== 'pending')),
    },
    steps: outcome.steps,
    outputs: outcome.outputs,
    unknownOutcomes: outcome.unknownOutcomes,
    errors: outcome.error
      ? [
          {
            name: outcome.error.name ?? 'RunError',
            code: outcome.error.code,
            message: outcome.error.message,
            ...(outcome.error.hint ? { hint: outcome.error.hint } : {}),
          },
        ]
      : [],
    ...(needsResume ? { resumeCommand: formatResumeCommand(outcome.run) } : {}),
    durationMs: report.durationMs,
  };
}

export function printRunOutcome(report: RunReport, json: boolean): void {
  const document = runResultDocument(report);
  if (json) {
    process.stdout.write(`${JSON.stringify(document)}\n`);
    return;
  }
  const { outcome } = report;
  const items = Object.entries(outcome.items)
    .filter(([status, count]) => status !== 'pending' && count > 0)
    .map(([status, count]) => `${count} ${status.replace('_', ' ')}`);
  const lines = [
    `Run ${outcome.run.id} of ${report.chain.name}: ${outcome.status} in ${(report.durationMs / 1000).toFixed(1)} s`,
    `  ${report.counts.requests} requests (${report.counts.commands} commands), ${outcome.rows} rows read${items.length ? `, items: ${items.join(', ')}` : ''}`,
  ];
  const outputs = Object.entries(outcome.outputs);
  if (outputs.length > 0) lines.push(`  outputs: ${outputs.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ')}`);
  for (const unknown of outcome.unknownOutcomes)
    lines.push(`  unknown outcome: item ${unknown.itemKey}, ${unknown.stepId}.${unknown.subStepId} (${unknown.method})`);
  if (outcome.error) {
    // A b24chain error's message already ends with its hint: print the hint once.
    const { message, hint } = outcome.error;
    lines.push(`  ${message}${hint && !message.includes(hint) ? ` ${hint}` : ''}`);
  }
  if (document.resumeCommand) lines.push(`  resume with: ${String(document.resumeCommand)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
