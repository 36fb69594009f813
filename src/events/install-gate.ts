/**
 * The receiver's door for installs (DESIGN.md §8): verifies an install post (`verifyInstall`) and, when
 * proven, keeps its tokens for processing (`PortalConnections`). Installs of one `member_id` are
 * handled one at a time, so two racing posts cannot both bind.
 */
import { createUndiciTransport } from '../client/index.ts';
import { withLoopbackGuard } from '../client/index.ts';
import type { Transport } from '../client/index.ts';
import type { PortalConnections } from './portal-connections.ts';
import type { InstallClaim } from './read-install-claim.ts';
import type { ReceiverTrust } from './receiver-trust.ts';
import { verifyInstall, type InstallVerdict, type VerifiedInstall } from './verify-install.ts';

export interface InstallGate {
  /** Runs `work` while no other install of the same member is handled. */
  exclusive<T>(memberId: string, work: () => Promise<T>): Promise<T>;
  verify(claim: InstallClaim): Promise<InstallVerdict>;
  bind(install: VerifiedInstall): Promise<void>;
  /** Whether this member's verified install is kept (its events can be processed). */
  isVerified(memberId: string): boolean;
  close(): Promise<void>;
}

export function createInstallGate(options: { trust: ReceiverTrust; portals: PortalConnections; transport?: Transport; now?: () => number }): InstallGate {
  const transport = withLoopbackGuard(options.transport ?? createUndiciTransport({ connectTimeoutMs: 5_000, responseTimeoutMs: 15_000 }));
  const now = options.now ?? Date.now;
  const queues = new Map<string, Promise<unknown>>();
  return {
    exclusive<T>(memberId: string, work: () => Promise<T>): Promise<T> {
      const previous = queues.get(memberId) ?? Promise.resolve();
      const run = previous.then(work, work);
      const settled = run.catch(() => undefined);
      queues.set(memberId, settled);
      void settled.then(() => {
        if (queues.get(memberId) === settled) queues.delete(memberId);
      });
      return run;
    },
    verify: (claim) => verifyInstall(claim, options.trust, transport, now()),
    bind: (install) => options.portals.bind(install),
    isVerified: (memberId) => options.portals.has(memberId),
    close: () => transport.close(),
  };
}
