/**
 * A self-signed certificate for 127.0.0.1/localhost, made at start with the system's `openssl`,
 * because real portals are HTTPS-only and peers such as @bitrix24/b24jssdk always build https URLs.
 * Point them at it with NODE_EXTRA_CA_CERTS=<certificatePath>.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
  certificatePath: string;
}

export function makeSelfSignedCertificate(): TlsMaterial {
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-emulator-tls-'));
  const keyPath = join(directory, 'key.pem');
  const certificatePath = join(directory, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyPath,
        '-out',
        certificatePath,
      ],
      { stdio: 'ignore' },
    );
  } catch (error) {
    throw new Error(`emulator: could not make a self-signed certificate with openssl (${(error as Error).message}). Install openssl or run without --tls.`);
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certificatePath, 'utf8'), certificatePath };
}
