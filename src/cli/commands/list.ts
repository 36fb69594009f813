/**
 * `chain list`: the chains bundled with the package (chains/**\/*.yml beside src/, whatever the cwd),
 * by pack (the folder under chains/), each with its description, whether it writes or destroys, and the
 * scopes it needs; handler chains (for `chain worker` / `chain serve-events`) are marked. `--json` prints
 * one document `{chains: [...]}`.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { validateChainFile } from '../../chain/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';

export interface BundledChain {
  pack: string;
  name: string;
  /** Path relative to the package root, e.g. chains/core/lead-intake.yml. */
  file: string;
  description: string;
  /** A handler chain for `chain worker` / `chain serve-events` (under chains/<pack>/handlers/). */
  handler: boolean;
  writes: boolean;
  destroys: boolean;
  scopes: string[];
  valid: boolean;
}

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function findChainFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries.sort((left, right) => left.name.localeCompare(right.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await findChainFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** Every bundled chain, sorted by pack, then handlers last, then name. */
export async function listBundledChains(root = packageRoot): Promise<BundledChain[]> {
  const chains: BundledChain[] = [];
  for (const path of await findChainFiles(join(root, 'chains'))) {
    const file = relative(root, path).split(sep).join('/');
    const report = await validateChainFile(path);
    const segments = file.split('/');
    chains.push({
      pack: segments[1] ?? '',
      name: report.chain?.name ?? segments[segments.length - 1]?.replace(/\.ya?ml$/, '') ?? file,
      file,
      description: report.chain?.description ?? '',
      handler: segments.includes('handlers'),
      writes: report.summary.writes.length > 0,
      destroys: report.summary.destructive.length > 0,
      scopes: report.summary.scopes,
      valid: report.valid,
    });
  }
  return chains.sort(
    (left, right) => left.pack.localeCompare(right.pack) || Number(left.handler) - Number(right.handler) || left.name.localeCompare(right.name),
  );
}

function effectOf(chain: BundledChain): string {
  if (!chain.valid) return 'INVALID';
  if (chain.destroys) return chain.writes ? 'writes, destroys' : 'destroys';
  return chain.writes ? 'writes' : 'read-only';
}

/** The text a person reads: one block per pack, one line per chain. */
export function formatBundledChains(chains: BundledChain[]): string {
  if (chains.length === 0) return 'No bundled chains found.\n';
  const nameWidth = Math.max(...chains.map((chain) => chain.name.length + (chain.handler ? 10 : 0)));
  const effectWidth = Math.max(...chains.map((chain) => effectOf(chain).length));
  const scopeWidth = Math.max(...chains.map((chain) => chain.scopes.join(',').length));
  const lines: string[] = [];
  let pack: string | undefined;
  for (const chain of chains) {
    if (chain.pack !== pack) {
      if (pack !== undefined) lines.push('');
      pack = chain.pack;
      lines.push(`${pack}`);
    }
    const name = chain.handler ? `${chain.name} (handler)` : chain.name;
    lines.push(`  ${name.padEnd(nameWidth)}  ${effectOf(chain).padEnd(effectWidth)}  ${chain.scopes.join(',').padEnd(scopeWidth)}  ${chain.description}`);
  }
  lines.push('', 'Run one: chain run chains/<pack>/<name>.yml [--input k=v] [--confirm-write] [--confirm-destructive]; see what it does: chain validate FILE.');
  return `${lines.join('\n')}\n`;
}

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the bundled chains by pack, with what they write or destroy and the scopes they need')
    .option('--json', 'print one JSON document {chains: [...]}')
    .action(
      returnsExitCode(async (flags: { json?: boolean }) => {
        const chains = await listBundledChains();
        process.stdout.write(flags.json ? `${JSON.stringify({ chains }, null, 2)}\n` : formatBundledChains(chains));
        return chains.every((chain) => chain.valid) ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
