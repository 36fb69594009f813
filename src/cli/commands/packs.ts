import type { Command } from 'commander';

/** Placeholder: `chain packs` and `chain methods` are being written (issue 5). */
export function registerPacksCommands(_program: Command): void {}
