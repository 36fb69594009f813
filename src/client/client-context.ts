/** What every request of one client shares: connection, transport, limiter, clock, auth, policy, hooks. */
import type { RateLimiter } from '../limiter/index.ts';
import type { RetryPolicyOptions } from '../protocol/index.ts';
import type { Clock } from '../util/index.ts';
import type { ClientHooks } from './client-hooks.ts';
import type { Connection } from './connection.ts';
import type { OAuthSession } from './oauth-session.ts';
import type { Transport } from './transport.ts';

export interface ClientContext {
  connection: Connection;
  transport: Transport;
  limiter: RateLimiter;
  clock: Clock;
  /** Present for OAuth connections. */
  session: OAuthSession | undefined;
  retry: RetryPolicyOptions;
  /** 0 ≤ x < 1, for back-off jitter. */
  random: () => number;
  hooks: ClientHooks;
  userAgent: string;
}
