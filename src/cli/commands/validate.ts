import type { Command } from 'commander';

/** Placeholder: `chain validate` is being written (issue 4). */
export function registerValidateCommand(_program: Command): void {}
