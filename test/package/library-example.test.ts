/**
 * b24chain as a package: `npm pack` holds the build (dist/ with type declarations), the bin, the bundled
 * chains and schemas and no TypeScript sources; installed into a project of its own, it is imported by
 * name and the README's library example runs as it stands against the emulator.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { testHome } from '../helpers/run-cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The first ```ts block of the README's "## Library" section. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block?.[1], 'README.md has no ```ts block under ## Library');
  return block[1];
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the b24chain package', () => {
  let project: string;
  let packed: string[];
  let emulator: EmulatorProcess;

  before(async () => {
    assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is missing: npm run build (scripts/run-tests.mjs builds before the tests)');
    project = mkdtempSync(join(tmpdir(), 'b24chain-package-'));
    // What `npm publish` would upload, unpacked where `npm install` puts it.
    const [pack] = JSON.parse(
      execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(pack);
    packed = pack.files.map((file) => file.path);
    const installed = join(project, 'node_modules/b24chain');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(project, pack.filename), '-C', installed, '--strip-components=1']);
    // Its dependencies, as npm would have installed them beside it.
    symlinkSync(join(root, 'node_modules'), join(installed, 'node_modules'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-b24chain', private: true, type: 'module' }));
    mkdirSync(join(project, 'chains/core'), { recursive: true });
    cpSync(join(root, 'chains/core/lead-to-deal.yml'), join(project, 'chains/core/lead-to-deal.yml'));
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '30', '--lead-status', 'IN_PROCESS', '--random-seed', '3']);
  });

  after(async () => {
    await emulator?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('ships the build with its types, the bin, chains and schemas, and no TypeScript sources', () => {
    for (const path of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'bin/chain.js',
      'chains/core/lead-to-deal.yml',
      'schemas/chain.schema.json',
      'package.json',
      'README.md',
    ]) {
      assert.ok(packed.includes(path), `${path} is not in the package`);
    }
    assert.deepEqual(
      packed.filter(
        (path) => path.startsWith('src/') || path.startsWith('test/') || (path.endsWith('.ts') && !path.endsWith('.d.ts')) || path.includes('tsbuildinfo'),
      ),
      [],
    );
  });

  it('exports its entry point only: a deep import is refused', async () => {
    const probe = "try { await import('b24chain/dist/client/index.js'); console.log('imported'); } catch (error) { console.log(error.code); }";
    const result = await run(process.execPath, ['--input-type=module', '--eval', probe], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', HOME: testHome() },
    });
    assert.equal(result.stdout.trim(), 'ERR_PACKAGE_PATH_NOT_EXPORTED', result.stderr);
  });

  it("runs the README's library example as it stands: the leads become deals", async () => {
    writeFileSync(join(project, 'example.mts'), readmeLibraryExample());
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: testHome(),
      B24_DOMAIN: emulator.url,
      B24_AUTH_MODE: 'webhook',
      B24_WEBHOOK_USER_ID: String(emulator.userId),
      B24_WEBHOOK_CODE: emulator.code,
    };
    // tsx only strips the types of the example itself; the package it imports is plain JavaScript.
    const result = await run(process.execPath, ['--import', import.meta.resolve('tsx'), 'example.mts'], { cwd: project, env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^done \{/, result.stdout + result.stderr);
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { select: ['ID'] });
    const leads = await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] });
    assert.equal(deals.length, 30);
    assert.equal(leads.length, 0);
    const database = join(project, '.b24chain/state.db');
    assert.equal(statSync(database).mode & 0o777, 0o600);
    assert.ok(readdirSync(join(project, '.b24chain')).includes('state.db'));
  });
});
