/**
 * The fleet benchmark's portals file: one named webhook profile per emulated portal, in the
 * credentials-file shape (`{version: 1, portals: {NAME: {domain, authMode, webhookUserId, webhookCode}}}`),
 * JSON with mode 0600 (it holds the emulator's webhook codes). `chain run --portals-file F`,
 * `chain fleet worker --portals-file F` and `B24_CREDENTIALS=F chain run --portal NAME` read it.
 */
import { writeCredentialsFile, type PortalProfile } from '../../src/client/credentials-file.ts';
import type { PortalDescription } from '../../src/emulator/index.ts';

/** `limit`: the emulator's bucket when it is not the standard one (burst 50, 2/s), so the client's limiter mirrors it. */
export function writePortalsFile(path: string, portals: readonly PortalDescription[], limit?: { rate: number; burst: number }): string[] {
  const profiles: Record<string, PortalProfile> = {};
  for (const portal of portals) {
    profiles[portal.name] = { domain: portal.url, authMode: 'webhook', webhookUserId: portal.userId, webhookCode: portal.code, ...(limit ?? {}) };
  }
  writeCredentialsFile(path, { version: 1, portals: profiles });
  return Object.keys(profiles);
}
