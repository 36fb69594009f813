/**
 * The text a person reads after `chain call` (without `--json`): the answer as JSON on stdout, so it
 * pipes into `jq`; notices, refusals and errors on stderr. Everything passes through the redactor. Pure.
 */
import { redactSecrets } from '../errors/index.ts';
import type { CallOutcome } from './call-outcome.ts';

export interface FormattedOutput {
  stdout: string;
  stderr: string;
}

function lines(prefix: string, texts: readonly string[]): string {
  return texts.map((text) => `${prefix}${text}\n`).join('');
}

function errorMessages(outcome: CallOutcome): string[] {
  return outcome.errors.map((error) => (typeof error.message === 'string' ? error.message : String(error.code ?? 'error')));
}

/** `--json`: the whole outcome as one JSON document and a newline. */
export function formatCallOutcomeJson(outcome: CallOutcome): string {
  return `${redactSecrets(JSON.stringify(outcome))}\n`;
}

export function formatCallOutcome(outcome: CallOutcome): FormattedOutput {
  let stdout = '';
  if (outcome.status === 'planned' && outcome.plan !== undefined) {
    const plan = outcome.plan;
    stdout =
      `Plan ${plan.id}: ${outcome.method ?? '?'} (${plan.risk}) on ${outcome.portal ?? '?'}, packs ${outcome.packs.join(',')}. ` +
      `Runs once, until ${plan.expiresAt}. Nothing was sent.\n` +
      `Execute it with:\n  ${plan.command}\n`;
    return { stdout: redactSecrets(stdout), stderr: '' };
  }
  if ('result' in outcome) {
    const answer = {
      result: outcome.result,
      ...(outcome.total === undefined ? {} : { total: outcome.total }),
      ...(outcome.next === undefined ? {} : { next: outcome.next }),
    };
    stdout = `${JSON.stringify(answer, null, 2)}\n`;
  }
  const stderr = lines('chain: ', errorMessages(outcome)) + lines('chain: note: ', outcome.notices);
  return { stdout: redactSecrets(stdout), stderr: redactSecrets(stderr) };
}
