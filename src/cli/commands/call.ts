/**
 * `chain call [METHOD] --params JSON`: one guarded Bitrix24 call (DESIGN.md §6). Reads the environment
 * and flags, opens the state database and the client, and hands everything to `runGuardedCall`.
 * Exit codes: 0 success or replay (or a plan stored), 1 Bitrix24 or network error, 2 refusal or bad input.
 */
import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import {
  formatCallOutcome,
  formatCallOutcomeJson,
  openCallClient,
  outcomeWithoutPortal,
  runGuardedCall,
  type CallOutcome,
  type OpenedCallClient,
} from '../../call/index.ts';
import { isB24ChainError } from '../../errors/index.ts';
import { RefusalError } from '../../errors/index.ts';
import { isPostgresUrl, openStateStores, resolveStatePath, type StateStores } from '../../store/index.ts';
import { exitCodeOf } from '../../errors/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

/** Where the command reads its settings and prints; the process unless a test passes its own. */
export interface CallCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

const processIo: CallCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

interface CallFlags {
  params?: string;
  packs?: string;
  methodAllowlist?: string;
  allowUnlisted?: boolean;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  planOnly?: boolean;
  executePlan?: string;
  requirePlan?: boolean;
  idempotencyKey?: string;
  idempotency?: boolean;
  audit?: boolean;
  json?: boolean;
  db?: string;
  portal?: string;
}

const falseWords = new Set(['', '0', 'false', 'no', 'off']);

/** `B24_REQUIRE_PLAN`: off when unset, empty, 0, false, no or off; on for anything else (safer). */
export function readRequirePlanSetting(value: string | undefined): boolean {
  return value !== undefined && !falseWords.has(value.trim().toLowerCase());
}

function print(io: CallCommandIo, outcome: CallOutcome, json: boolean): void {
  if (json) {
    io.stdout(formatCallOutcomeJson(outcome));
    return;
  }
  const text = formatCallOutcome(outcome);
  if (text.stdout !== '') io.stdout(text.stdout);
  if (text.stderr !== '') io.stderr(text.stderr);
}

/** `--params ''` is a mistake (an unset shell variable, a lost quote), not "no parameters": leave the option out for that. */
function refuseBlankParams(text: string | undefined): void {
  if (text === undefined || text.trim() !== '') return;
  throw new RefusalError(`--params: ${JSON.stringify(text)} is empty (PARAMS_EMPTY).`, {
    code: 'PARAMS_EMPTY',
    hint: `Pass one JSON object, e.g. --params '{"id": 5}', or leave --params out for a call without parameters.`,
    subject: '--params',
  });
}

async function callAction(method: string | undefined, flags: CallFlags, io: CallCommandIo): Promise<number> {
  const json = flags.json === true;
  const statePath = resolveStatePath({ flag: flags.db, env: io.env.B24_DB, databaseUrl: io.env.B24_DATABASE_URL });
  let stores: StateStores | undefined;
  let opened: OpenedCallClient | undefined;
  try {
    refuseBlankParams(flags.params);
    stores = openStateStores(statePath);
    opened = await openCallClient({ env: io.env, ...(flags.portal ? { profile: flags.portal } : {}) });
    const outcome = await runGuardedCall(
      {
        method,
        paramsText: flags.params,
        packsText: flags.packs ?? (io.env.B24_PACKS?.trim() || undefined),
        allowlistText: flags.methodAllowlist,
        allowUnlisted: flags.allowUnlisted,
        confirmWrite: flags.confirmWrite,
        confirmDestructive: flags.confirmDestructive,
        planOnly: flags.planOnly,
        executePlanId: flags.executePlan,
        requirePlan: flags.requirePlan ?? readRequirePlanSetting(io.env.B24_REQUIRE_PLAN),
        idempotencyKey: flags.idempotencyKey,
        idempotency: flags.idempotency,
        audit: flags.audit,
      },
      {
        client: opened.client,
        stores,
        // A database URL may carry a password: never printed; the plan is found through B24_DATABASE_URL.
        executeCommand: { extraArguments: flags.db === undefined || isPostgresUrl(flags.db) ? [] : ['--db', flags.db] },
      },
    );
    print(io, outcome, json);
    return outcome.exitCode;
  } catch (error) {
    if (!isB24ChainError(error)) throw error;
    const refused = exitCodeOf(error) === ExitCode.refused;
    const outcome = outcomeWithoutPortal(error, method, refused ? 'refused' : 'failed', randomUUID());
    print(io, outcome, json);
    return outcome.exitCode;
  } finally {
    await opened?.close();
    stores?.close();
  }
}

/** Registers `chain call`. */
export function registerCallCommand(program: Command, io: CallCommandIo = processIo): void {
  program
    .command('call')
    .description('One guarded Bitrix24 call: packs, confirmations, plans, idempotency and an audit row')
    .argument('[method]', 'Bitrix24 method, e.g. crm.lead.list (omitted with --execute-plan)')
    .option('--params <json>', 'the method parameters, one JSON object (default {})')
    .option('--packs <list>', 'packs the method may come from, e.g. core,comms (default B24_PACKS or core; "none" allows nothing)')
    .option('--method-allowlist <patterns>', 'methods allowed on top of the packs, e.g. crm.lead.get,user.*')
    .option('--allow-unlisted', 'allow a method outside the packs and allowlist (batch rules and confirmations still apply)')
    .option('--confirm-write', 'allow a write')
    .option('--confirm-destructive', 'allow a destructive call (the write confirmation does not cover it)')
    .option('--plan-only', 'store a plan (30 min, runs once, this portal only) and print the command that executes it; send nothing')
    .option('--execute-plan <id>', 'execute a stored plan (every gate is checked before the plan is used)')
    .option('--require-plan', 'refuse writes that do not come from --execute-plan (default B24_REQUIRE_PLAN)')
    .option('--no-require-plan', 'do not require a plan, whatever B24_REQUIRE_PLAN says')
    .option('--idempotency-key <key>', 'deduplicate this write: the same key with the same params replays the stored answer (24 h)')
    .option('--no-idempotency', 'send the write without an idempotency record, even with a natural key')
    .option('--no-audit', 'write no audit row for this call')
    .option('--json', 'print one JSON document (schemas/call-result.schema.json)')
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--portal <name>', 'named profile from the credentials file (B24_CREDENTIALS)')
    .addOption(new Option('--auto-refresh', 'accepted for the seed client; OAuth tokens are always refreshed').hideHelp())
    .action(returnsExitCode((method: string | undefined, flags: CallFlags) => callAction(method, flags, io)));
}
