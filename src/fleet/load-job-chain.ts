/**
 * A job's chain on this worker: its text written once to `<chains dir>/<sha256>.yml` (so `chain resume
 * RUN_ID` works here by hand too, and the run is tied to a real file as any run is), then validated as
 * `chain run` validates a file. A chain that is not valid here, or not the text that was enqueued, fails
 * the job (FLEET_JOB_INVALID).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ValidationReport, validateChainFile } from '../chain/index.ts';
import { canonicalChainPath } from '../runner/index.ts';
import { FleetRefusedError } from './fleet-errors.ts';
import type { FleetJobData } from './fleet-queue.ts';

export interface JobChain {
  chainPath: string;
  validation: ValidationReport & { chain: NonNullable<ValidationReport['chain']> };
}

export async function loadJobChain(chainsDir: string, data: FleetJobData): Promise<JobChain> {
  const path = join(chainsDir, `${data.chain.sha256}.yml`);
  if (!existsSync(path)) {
    mkdirSync(chainsDir, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, data.chain.source, { mode: 0o600 });
    renameSync(temporary, path);
  }
  const chainPath = canonicalChainPath(path);
  const validation = await validateChainFile(chainPath);
  if (!validation.valid || !validation.chain || validation.sha256 !== data.chain.sha256) {
    const first = validation.problems[0];
    throw new FleetRefusedError(
      `${data.chain.path}: the job's chain is not valid on this worker${first ? ` (${first.code}: ${first.detail})` : ''} (FLEET_JOB_INVALID).`,
      { code: 'FLEET_JOB_INVALID', hint: 'Check that every worker runs the same b24chain version as the host that enqueued it.', subject: data.chain.path },
    );
  }
  return { chainPath, validation: { ...validation, chain: validation.chain } };
}
