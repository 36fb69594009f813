import { Command, InvalidArgumentError, Option } from 'commander';
import { realisticExecutionMs, startEmulator, type EmulatorOptions } from '../../emulator/index.ts';

function integer(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a non-negative number.`);
    return parsed;
  };
}

interface EmulatorFlags {
  port: number;
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
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', integer('--port'), 0)
    .addOption(new Option('--seed <name>', 'initial data').choices(['demo', 'empty']).default('demo'))
    .option('--rate <n>', 'leaky bucket drain per second (enterprise: 5)', integer('--rate'), 2)
    .option('--burst <n>', 'leaky bucket size (enterprise: 250)', integer('--burst'), 50)
    .option('--tls', 'serve HTTPS with a self-signed certificate (its PEM path is printed)')
    .option('--json', 'print one JSON line with the URL and credentials')
    .option('--leads <n>', 'generate this many extra leads (seeded)', integer('--leads'), 0)
    .option('--lead-status <status>', 'STATUS_ID of every generated lead (default: a random mix)')
    .option('--random-seed <n>', 'seed of the lead generator and fault injection', integer('--random-seed'), 42)
    .option('--token-lifetime <seconds>', 'access token lifetime', integer('--token-lifetime'), 3600)
    .option('--realistic', `simulate execution time like a live portal (${realisticExecutionMs.read} ms per read, ${realisticExecutionMs.write} ms per write)`)
    .option('--read-ms <ms>', 'simulated execution time per read command', integer('--read-ms'))
    .option('--write-ms <ms>', 'simulated execution time per write command', integer('--write-ms'))
    .option('--operating-limit <seconds>', 'per-method operating budget over 10 minutes (0: off)', integer('--operating-limit'), 480)
    .addOption(new Option('--batch-charging <mode>', 'how a batch is charged to the operating budget').choices(['measured', 'documented']).default('measured'))
    .action(async (flags: EmulatorFlags) => {
      const base = flags.realistic ? realisticExecutionMs : { read: 0, write: 0 };
      const options: EmulatorOptions = {
        port: flags.port,
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
      const emulator = await startEmulator(options);
      const printed = {
        url: emulator.url,
        webhookUrl: emulator.webhookUrl,
        userId: emulator.userId,
        code: emulator.code,
        app: emulator.app,
        ...(emulator.certificatePath ? { certificatePath: emulator.certificatePath } : {}),
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
    });
}
