import type { Command } from 'commander';

/** Placeholder: `chain emulator` is being written (issue 2). */
export function registerEmulatorCommand(_program: Command): void {}
