/**
 * The chains an MCP session may use: the `*.yml` files under the server's chain folders, named by
 * their path inside the folder without the extension (`core/lead-intake`). A name never escapes its
 * folder: the model cannot point the server at an arbitrary file.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { validateChainFile, type ValidationReport } from '../chain/index.ts';
import { formatChainFileProblem } from '../errors/index.ts';
import { RefusalError } from '../errors/index.ts';

export interface LibraryChain {
  name: string;
  path: string;
}

function walk(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder).sort();
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.ya?ml$/i.test(entry) ? [path] : [];
  });
}

export function listLibraryChains(folders: readonly string[]): LibraryChain[] {
  const seen = new Set<string>();
  const chains: LibraryChain[] = [];
  for (const folder of folders) {
    const root = resolve(folder);
    for (const path of walk(root)) {
      const name = relative(root, path)
        .split(sep)
        .join('/')
        .replace(/\.ya?ml$/i, '');
      if (seen.has(name)) continue;
      seen.add(name);
      chains.push({ name, path });
    }
  }
  return chains;
}

export function findLibraryChain(folders: readonly string[], name: string): LibraryChain {
  const chains = listLibraryChains(folders);
  const found = chains.find((chain) => chain.name === name.trim().replace(/\.ya?ml$/i, ''));
  if (found !== undefined) return found;
  throw new RefusalError(`chain ${name}: not in this server's chain library (CHAIN_NOT_FOUND).`, {
    code: 'CHAIN_NOT_FOUND',
    hint: `chain_list names them: ${
      chains
        .slice(0, 10)
        .map((chain) => chain.name)
        .join(', ') || 'the library is empty'
    }.`,
    subject: `chain ${name}`,
  });
}

/** Validates a library chain; refuses `CHAIN_INVALID` listing its problems. */
export async function loadLibraryChain(
  folders: readonly string[],
  name: string,
): Promise<{ entry: LibraryChain; report: ValidationReport & { chain: NonNullable<ValidationReport['chain']> } }> {
  const entry = findLibraryChain(folders, name);
  const report = await validateChainFile(entry.path);
  if (!report.valid || report.chain === undefined) {
    throw new RefusalError(`chain ${entry.name}: invalid: ${report.problems.slice(0, 5).map(formatChainFileProblem).join('; ')} (CHAIN_INVALID).`, {
      code: 'CHAIN_INVALID',
      hint: 'Fix the chain file (chain_validate lists every problem).',
      subject: `chain ${entry.name}`,
    });
  }
  return { entry, report: report as ValidationReport & { chain: NonNullable<ValidationReport['chain']> } };
}
