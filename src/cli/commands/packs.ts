import type { Command } from 'commander';
import { isRefusalError } from '../../errors/refusal-error.ts';
import { docsUrl, methodCatalog, type CatalogEntry } from '../../protocol/method-catalog.ts';
import { defaultPacks, listPacks, noPack, resolvePackNames, type PackInfo } from '../../protocol/packs.ts';
import { scopeForMethod } from '../../protocol/scopes.ts';
import { ExitCode, reportExitCode } from '../exit-code.ts';

/** Where the commands print; the process streams unless a test passes its own. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

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

function reportRefusal(error: unknown, json: boolean, output: CommandOutput): void {
  if (!isRefusalError(error)) throw error;
  if (json) output.stdout(`${JSON.stringify({ error: error.toJSON() })}\n`);
  else output.stderr(`chain: ${error.message}\n`);
  reportExitCode(ExitCode.refused);
}

/** `chain packs` and `chain methods [--pack P]`: what packs and methods exist. Need no portal. */
export function registerPacksCommands(program: Command, output: CommandOutput = processOutput): void {
  program
    .command('packs')
    .description('List the method packs: their method patterns, scopes, and the words that map to them')
    .option('--json', 'print one JSON document')
    .action((flags: { json?: boolean }) => {
      const packs = listPacks();
      output.stdout(flags.json ? `${JSON.stringify({ packs, default: defaultPacks })}\n` : formatPacks(packs));
    });

  program
    .command('methods')
    .description('List the method catalog with risk classes (R read, W write, D destructive) and docs links')
    .option('--pack <packs>', 'only these packs (comma list of pack names or words such as "workgroups")')
    .option('--json', 'print one JSON document')
    .action((flags: { pack?: string; json?: boolean }) => {
      const json = flags.json === true;
      let selected: string[] | undefined;
      try {
        selected = flags.pack === undefined ? undefined : resolvePackNames(flags.pack);
      } catch (error) {
        reportRefusal(error, json, output);
        return;
      }
      const entries = selected === undefined ? methodCatalog : methodCatalog.filter((entry) => selected.includes(entry.pack));
      const lines = entries.map(toMethodLine);
      output.stdout(json ? `${JSON.stringify({ packs: selected ?? listPacks().map((pack) => pack.name), methods: lines })}\n` : formatMethods(lines));
    });
}
