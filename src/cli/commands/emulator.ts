import type { Command } from 'commander';
import { RefusalError } from '../../errors/index.ts';
import { realisticExecutionMs, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';
import { choiceOption, numberOption } from '../parse-option-values.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';

const whole = (flag: string, min: number, example: string, max?: number) => numberOption(flag, { min, example, ...(max === undefined ? {} : { max }) });
const decimal = (flag: string, min: number, example: string) => numberOption(flag, { min, example, integer: false });

/** A listen failure the user can fix (port taken, port not allowed) as a refusal (exit 2); anything else as it is. */
function listenRefusal(error: unknown, port: number): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return new RefusalError(`--port ${port}: 127.0.0.1:${port} is already in use (PORT_IN_USE).`, {
      code: 'PORT_IN_USE',
      hint: 'Stop what listens there, choose another port, or leave --port out (a free port is picked).',
      subject: '--port',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new RefusalError(`--port ${port}: not allowed to listen on 127.0.0.1:${port} (PORT_NOT_ALLOWED).`, {
      code: 'PORT_NOT_ALLOWED',
      hint: 'Ports below 1024 need privileges: choose a port from 1024 to 65535, or leave --port out.',
      subject: '--port',
      cause: error,
    });
  }
  return error;
}

/** One line per portal after the first (`--portals N`): name and webhook URL; the rest is at /_emulator/portals. */
function describeMorePortals(emulator: RunningEmulator): string[] {
  if (emulator.portals.length < 2) return [];
  return [
    `  portals:      ${emulator.portals.length}, each with its own data, limit and credentials (all of them, with the app credentials: ${emulator.url}/_emulator/portals)`,
    ...emulator.portals.map((portal) => `    ${portal.name.padEnd(6)} ${portal.webhookUrl}`),
  ];
}

interface EmulatorFlags {
  port: number;
  portals: number;
  seed: 'demo' | 'empty';
  rate: number;
  burst: number;
  tls?: boolean;
  json?: boolean;
  leads: number;
  leadStatus?: string;
  tokenLifetime: number;
  realistic?: boolean;
  readMs?: number;
  writeMs?: number;
  operatingLimit: number;
  batchCharging: 'measured' | 'documented';
  randomSeed: number;
}

/** `chain emulator`: a local Bitrix24 portal on 127.0.0.1 that runs until stopped (DESIGN.md §9). */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Serve a local Bitrix24 portal on 127.0.0.1 until stopped (Ctrl-C)')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', whole('--port', 0, '8080', 65_535), 0)
    .option('--portals <n>', 'serve this many portals: the first at the root URL, pN at /portal/pN/', whole('--portals', 1, '200', 10_000), 1)
    .option('--seed <name>', 'initial data: demo or empty', choiceOption('--seed', ['demo', 'empty'] as const), 'demo')
    .option('--rate <n>', 'leaky bucket drain per second (enterprise: 5)', decimal('--rate', 0.001, '2'), 2)
    .option('--burst <n>', 'leaky bucket size (enterprise: 250)', whole('--burst', 1, '50'), 50)
    .option('--tls', 'serve HTTPS with a self-signed certificate (its PEM path is printed)')
    .option('--json', 'print one JSON line with the URL and credentials')
    .option('--leads <n>', 'generate this many extra leads (seeded)', whole('--leads', 0, '1000'), 0)
    .option('--lead-status <status>', 'STATUS_ID of every generated lead (default: a random mix)')
    .option('--random-seed <n>', 'seed of the lead generator and fault injection', whole('--random-seed', 0, '42'), 42)
    .option('--token-lifetime <seconds>', 'access token lifetime', whole('--token-lifetime', 1, '3600'), 3600)
    .option('--realistic', `simulate execution time like a live portal (${realisticExecutionMs.read} ms per read, ${realisticExecutionMs.write} ms per write)`)
    .option('--read-ms <ms>', 'simulated execution time per read command', decimal('--read-ms', 0, '4'))
    .option('--write-ms <ms>', 'simulated execution time per write command', decimal('--write-ms', 0, '30'))
    .option('--operating-limit <seconds>', 'per-method operating budget over 10 minutes (0: off)', decimal('--operating-limit', 0, '480'), 480)
    .option(
      '--batch-charging <mode>',
      'how a batch is charged to the operating budget: measured or documented',
      choiceOption('--batch-charging', ['measured', 'documented'] as const),
      'measured',
    )
    .action(
      returnsExitCode(async (flags: EmulatorFlags) => {
        const base = flags.realistic ? realisticExecutionMs : { read: 0, write: 0 };
        const options: EmulatorOptions = {
          port: flags.port,
          portals: flags.portals,
          seed: flags.seed,
          rate: flags.rate,
          burst: flags.burst,
          tls: flags.tls === true,
          leads: flags.leads,
          ...(flags.leadStatus ? { leadStatus: flags.leadStatus } : {}),
          randomSeed: flags.randomSeed,
          tokenLifetimeSeconds: flags.tokenLifetime,
          executionMs: { read: flags.readMs ?? base.read, write: flags.writeMs ?? base.write },
          operatingLimitSeconds: flags.operatingLimit,
          batchCharging: flags.batchCharging,
        };
        let emulator: RunningEmulator;
        try {
          emulator = await startEmulator(options);
        } catch (error) {
          throw listenRefusal(error, flags.port);
        }
        const printed = {
          url: emulator.url,
          webhookUrl: emulator.webhookUrl,
          userId: emulator.userId,
          code: emulator.code,
          app: emulator.app,
          ...(emulator.certificatePath ? { certificatePath: emulator.certificatePath } : {}),
          ...(flags.portals > 1 ? { portals: emulator.portals } : {}),
        };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(printed)}\n`);
        } else {
          process.stdout.write(
            [
              `Bitrix24 emulator serving ${emulator.url} (seed: ${flags.seed}, limit: burst ${flags.burst}, ${flags.rate}/s)`,
              `  webhook:      ${emulator.webhookUrl}`,
              `  application:  client_id ${emulator.app.clientId}, member_id ${emulator.app.memberId}`,
              `  access token: ${emulator.app.accessToken}`,
              `  token URL:    ${emulator.url}/oauth/token/`,
              `  admin:        ${emulator.url}/_emulator/stats`,
              ...(emulator.certificatePath ? [`  certificate:  ${emulator.certificatePath} (NODE_EXTRA_CA_CERTS=${emulator.certificatePath})`] : []),
              ...describeMorePortals(emulator),
              `Try: B24_DOMAIN=${emulator.url} B24_AUTH_MODE=webhook B24_WEBHOOK_USER_ID=${emulator.userId} B24_WEBHOOK_CODE=${emulator.code} npx chain call user.current`,
              'Press Ctrl-C to stop.',
              '',
            ].join('\n'),
          );
        }
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await emulator.close();
        return ExitCode.ok;
      }),
    );
}
