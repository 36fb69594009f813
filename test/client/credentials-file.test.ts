import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentialsFile, updateProfile, withFileLock } from '../../src/client/credentials-file.ts';
import { CredentialsFileTokenStore } from '../../src/client/token-store.ts';
import { isConnectionConfigError } from '../../src/errors/connection-config-error.ts';
import { ManualClock } from '../../src/util/clock.ts';

const directory = mkdtempSync(join(tmpdir(), 'b24-credentials-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('the credentials file', () => {
  it('saves tokens into the profile with mode 0600 and keeps the other fields', async () => {
    const path = join(directory, 'tokens.json');
    updateProfile(path, 'prod', () => ({ domain: 'prod.bitrix24.com', clientId: 'app.1' }));
    const store = new CredentialsFileTokenStore(path);
    await store.save('prod', { accessToken: 'new-access', refreshToken: 'new-refresh', expiresAtMs: 42 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readCredentialsFile(path).portals.prod, {
      domain: 'prod.bitrix24.com',
      clientId: 'app.1',
      accessToken: 'new-access',
      refreshToken: 'new-refresh',
      expiresAtMs: 42,
    });
    assert.deepEqual(await store.load('prod'), { accessToken: 'new-access', refreshToken: 'new-refresh', expiresAtMs: 42 });
    assert.equal(await store.load('other'), undefined);
  });

  it('refuses a file that is not JSON, naming the file', () => {
    const path = join(directory, 'broken.json');
    writeFileSync(path, '{ not json', { mode: 0o600 });
    assert.throws(
      () => readCredentialsFile(path),
      (error: unknown) => isConnectionConfigError(error) && error.code === 'CREDENTIALS_FILE_INVALID' && error.message.includes(path),
    );
  });
});

describe('withFileLock', () => {
  it('serialises holders: the second starts after the first ends', async () => {
    const lock = join(directory, 'serial.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(
        lock,
        async () => {
          events.push(`${name} in`);
          await new Promise((resolve) => setImmediate(resolve));
          events.push(`${name} out`);
        },
        { pollMs: 1 },
      );
    await Promise.all([hold('a'), hold('b')]);
    assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out']);
  });

  it('takes over a lock left by a crashed process', async () => {
    const lock = join(directory, 'stale.lock');
    writeFileSync(lock, '999999 0\n');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    assert.equal(await withFileLock(lock, async () => 'done'), 'done');
  });

  it('takes over at once a fresh lock whose process is dead on this host; waits for a live one or one from another host', async () => {
    const lock = join(directory, 'dead.lock');
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.once('exit', () => resolve(child.pid ?? 0));
    });
    writeFileSync(lock, `${dead} ${hostname()} 0123456789abcdef\n`);
    const clock = new ManualClock(0);
    assert.equal(await withFileLock(lock, async () => 'done', { clock, timeoutMs: 100, pollMs: 20 }), 'done');
    assert.deepEqual(clock.sleeps, [], 'no wait at all');
    assert.ok(!existsSync(lock), 'released');

    for (const holder of [`${process.ppid} ${hostname()} 0123456789abcdef`, `${dead} another-host 0123456789abcdef`]) {
      writeFileSync(lock, `${holder}\n`);
      const error = await withFileLock(lock, async () => 'never', { clock: new ManualClock(0), timeoutMs: 100, pollMs: 20 }).catch((caught: unknown) => caught);
      assert.ok(isConnectionConfigError(error) && error.code === 'CREDENTIALS_LOCK_TIMEOUT', holder);
      assert.match(error.message, /held the token lock/);
    }
  });

  it('gives up with a clear error when the lock stays held', async () => {
    const lock = join(directory, 'held.lock');
    writeFileSync(lock, `${process.pid} ${Date.now()}\n`);
    const error = await withFileLock(lock, async () => 'never', { clock: new ManualClock(0), timeoutMs: 100, pollMs: 20 }).catch((caught: unknown) => caught);
    assert.ok(isConnectionConfigError(error) && error.code === 'CREDENTIALS_LOCK_TIMEOUT');
  });
});
