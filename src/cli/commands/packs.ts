import type { Command } from 'commander';
import { docsUrl, methodCatalog, type CatalogEntry } from '../../protocol/index.ts';
import { defaultPacks, listPacks, noPack, resolvePackNames, type PackInfo } from '../../protocol/index.ts';
import { scopeForMethod } from '../../protocol/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printRefusalOrThrow, processOutput, type CommandOutput } from '../print-refusal.ts';

const riskLetter = { read: 'R', write: 'W', destructive: 'D' } as const;

function formatPacks(packs: PackInfo[]): string {
  const blocks = packs.map((pack) =>
    [
      `${pack.name}: ${pack.description}`,
      `  methods: ${pack.patterns.join(', ')}`,
      `  scopes:  ${pack.scopes.join(', ')}`,
      `  words:   ${pack.vocabulary.join(', ')}`,
    ].join('\n'),
  );
  const footer = `Default: ${defaultPacks.join(',')}. Select with --packs a,b (or B24_PACKS); pack names or the words above; "${noPack}" allows no method.`;
  return `${blocks.join('\n\n')}\n\n${footer}\n`;
}

interface MethodLine {
  method: string;
  pack: string;
  risk: CatalogEntry['risk'];
  scope: string | null;
  docsPath: string;
  docsUrl: string;
  note?: string;
}

function toMethodLine(entry: CatalogEntry): MethodLine {
  return {
    method: entry.method,
    pack: entry.pack,
    risk: entry.risk,
    scope: scopeForMethod(entry.method) ?? null,
    docsPath: entry.docsPath,
    docsUrl: docsUrl(entry),
    ...(entry.note === undefined ? {} : { note: entry.note }),
  };
}

function formatMethods(lines: MethodLine[]): string {
  if (lines.length === 0) return 'No methods: the pack "none" allows nothing.\n';
  const width = Math.max(...lines.map((line) => line.method.length));
  const output: string[] = [];
  let pack = '';
  for (const line of lines) {
    if (line.pack !== pack) {
      if (pack !== '') output.push('');
      pack = line.pack;
      output.push(`${pack}`);
    }
    output.push(`  ${riskLetter[line.risk]}  ${line.method.padEnd(width)}  ${line.docsUrl}`);
    if (line.note !== undefined) output.push(`     ${' '.repeat(width)}  note: ${line.note}`);
  }
  output.push('', 'R read · W write (needs --confirm-write) · D destructive (needs --confirm-destructive).');
  return `${output.join('\n')}\n`;
}

/** `chain packs` and `chain methods [--pack P]`: what packs and methods exist. Need no portal. */
export function registerPacksCommands(program: Command, output: CommandOutput = processOutput): void {
  program
    .command('packs')
    .description('List the method packs: their method patterns, scopes, and the words that map to them')
    .option('--json', 'print one JSON document')
    .action(
      returnsExitCode((flags: { json?: boolean }) => {
        const packs = listPacks();
        output.stdout(flags.json ? `${JSON.stringify({ packs, default: defaultPacks })}\n` : formatPacks(packs));
        return ExitCode.ok;
      }),
    );

  program
    .command('methods')
    .description('List the method catalog with risk classes (R read, W write, D destructive) and docs links')
    .option('--pack <packs>', 'only these packs (comma list of pack names or words such as "workgroups")')
    .option('--json', 'print one JSON document')
    .action(
      returnsExitCode((flags: { pack?: string; json?: boolean }) => {
        const json = flags.json === true;
        let selected: string[] | undefined;
        try {
          selected = flags.pack === undefined ? undefined : resolvePackNames(flags.pack);
        } catch (error) {
          return printRefusalOrThrow(error, json, output);
        }
        const entries = selected === undefined ? methodCatalog : methodCatalog.filter((entry) => selected.includes(entry.pack));
        const lines = entries.map(toMethodLine);
        output.stdout(json ? `${JSON.stringify({ packs: selected ?? listPacks().map((pack) => pack.name), methods: lines })}\n` : formatMethods(lines));
        return ExitCode.ok;
      }),
    );
}
