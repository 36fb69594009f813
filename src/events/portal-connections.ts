/**
 * One client per installed portal for `chain serve-events` (DESIGN.md §8, §1 "nothing crosses from
 * one portal to another"): each verified install's tokens are kept in a token store keyed by
 * `member_id` (a JSON file with mode 0600 beside the state database, in the credentials-file format,
 * never the state database), and each portal's events run through a client built from its own tokens,
 * its own client endpoint, portal key (`member_id`: runs and dead letters) and limiter key (its host).
 * Refreshed tokens are saved back under the same key. Clients are opened the way every command opens
 * one (`openPortalClient`: the host's shared limiter store), with this portal's own token store.
 */
import type { B24Client } from '../client/index.ts';
import { readCredentialsFile, updateProfile } from '../client/index.ts';
import { tokenEndpointFrom } from '../client/index.ts';
import { openPortalClient } from '../client/index.ts';
import { registerSecret } from '../errors/index.ts';
import { CredentialsFileTokenStore, MemoryTokenStore, type TokenStore } from '../client/index.ts';
import type { Transport } from '../client/index.ts';
import type { LimiterStoreKind } from '../limiter/index.ts';
import type { PortalClient } from '../client/index.ts';
import type { Clock } from '../util/index.ts';
import type { ReceiverTrust, TrustedApplication } from './receiver-trust.ts';
import type { VerifiedInstall } from './verify-install.ts';

export interface PortalConnectionsOptions {
  trust: ReceiverTrust;
  /** The token file (mode 0600); `undefined` keeps tokens in memory (tests, `:memory:` state). */
  tokensPath?: string;
  /** Overrides the shared per-host limiter file (default: as every command resolves it from `env`). */
  limiterPath?: string;
  /** The environment map for the per-host files (`B24_LIMITER_DB`, `HOME`, ...). */
  env?: Readonly<Record<string, string | undefined>>;
  defaultRateLimiter?: LimiterStoreKind;
  /** For tests; default undici behind the loopback guard. */
  transport?: Transport;
  clock?: Clock;
}

interface StoredPortal {
  clientEndpoint: string;
  accessToken: string;
  refreshToken?: string;
  serverEndpoint?: string;
  clientId?: string;
}

export class PortalConnections {
  private readonly store: TokenStore;
  private readonly memory = new Map<string, StoredPortal>();
  private readonly clients = new Map<string, { b24: B24Client; client: PortalClient }>();
  /** Members whose verified install is known to be kept (bound here, or found in the file once). */
  private readonly verified = new Set<string>();

  constructor(private readonly options: PortalConnectionsOptions) {
    this.store =
      options.tokensPath === undefined
        ? new MemoryTokenStore()
        : new CredentialsFileTokenStore(options.tokensPath, options.clock === undefined ? {} : { clock: options.clock });
  }

  /** Keeps a verified install's tokens and endpoints under its `member_id`; the next event uses them. */
  async bind(install: VerifiedInstall): Promise<void> {
    registerSecret(install.accessToken);
    registerSecret(install.refreshToken);
    const portal: StoredPortal = {
      clientEndpoint: install.clientEndpoint,
      accessToken: install.accessToken,
      serverEndpoint: install.serverEndpoint,
      clientId: install.application.clientId,
      ...(install.refreshToken === undefined ? {} : { refreshToken: install.refreshToken }),
    };
    await this.store.withLock(install.memberId, async () => {
      if (this.options.tokensPath !== undefined) {
        updateProfile(this.options.tokensPath, install.memberId, () => ({
          authMode: 'oauth',
          domain: new URL(install.clientEndpoint).origin,
          clientEndpoint: install.clientEndpoint,
          serverEndpoint: install.serverEndpoint,
          memberId: install.memberId,
          clientId: install.application.clientId,
          accessToken: install.accessToken,
          ...(install.refreshToken === undefined ? {} : { refreshToken: install.refreshToken }),
          ...(install.expiresAtMs === undefined ? {} : { expiresAtMs: install.expiresAtMs }),
        }));
      } else {
        this.memory.set(install.memberId, portal);
        await this.store.save(install.memberId, {
          accessToken: install.accessToken,
          clientEndpoint: install.clientEndpoint,
          serverEndpoint: install.serverEndpoint,
          memberId: install.memberId,
          ...(install.refreshToken === undefined ? {} : { refreshToken: install.refreshToken }),
          ...(install.expiresAtMs === undefined ? {} : { expiresAtMs: install.expiresAtMs }),
        });
      }
    });
    this.verified.add(install.memberId);
    const previous = this.clients.get(install.memberId);
    this.clients.delete(install.memberId);
    await previous?.b24.close();
  }

  /** Whether a verified install's tokens are kept for this member. */
  has(memberId: string): boolean {
    if (this.verified.has(memberId)) return true;
    if (this.stored(memberId) === undefined) return false;
    this.verified.add(memberId);
    return true;
  }

  /** The client of this member's portal, or `undefined` when no verified install is kept. */
  async clientFor(memberId: string): Promise<PortalClient | undefined> {
    const open = this.clients.get(memberId);
    if (open) return open.client;
    const stored = this.stored(memberId);
    if (stored === undefined) return undefined;
    const b24 = await this.openClient(memberId, stored);
    const raced = this.clients.get(memberId);
    if (raced) {
      await b24.close();
      return raced.client;
    }
    const client = b24;
    this.clients.set(memberId, { b24, client });
    return client;
  }

  async close(): Promise<void> {
    const open = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(open.map((entry) => entry.b24.close()));
  }

  private stored(memberId: string): StoredPortal | undefined {
    if (this.options.tokensPath === undefined) return this.memory.get(memberId);
    const profile = readCredentialsFile(this.options.tokensPath).portals[memberId];
    if (profile?.clientEndpoint === undefined || profile.accessToken === undefined) return undefined;
    return {
      clientEndpoint: profile.clientEndpoint,
      accessToken: profile.accessToken,
      ...(profile.refreshToken === undefined ? {} : { refreshToken: profile.refreshToken }),
      ...(profile.serverEndpoint === undefined ? {} : { serverEndpoint: profile.serverEndpoint }),
      ...(profile.clientId === undefined ? {} : { clientId: profile.clientId }),
    };
  }

  /** The application this member installed: the configured one with the same client id (its secret renews tokens). */
  private applicationOf(memberId: string, clientId: string | undefined): TrustedApplication {
    const { trust } = this.options;
    const configured = trust.portals.find((portal) => portal.memberId === memberId)?.application;
    const candidates = [configured, trust.application, ...trust.portals.map((portal) => portal.application)];
    return candidates.find((application) => application !== undefined && application.clientId === clientId) ?? configured ?? trust.application;
  }

  /** Through the one way every command opens a portal client: the same limiter store, this portal's own tokens. */
  private async openClient(memberId: string, stored: StoredPortal): Promise<B24Client> {
    const application = this.applicationOf(memberId, stored.clientId);
    const { limiter } = this.options.trust;
    const opened = await openPortalClient({
      env: this.options.env ?? {},
      tokenKey: memberId,
      tokenStore: this.store,
      connection: {
        domain: new URL(stored.clientEndpoint).origin,
        authMode: 'oauth',
        // The session adopts what the store holds (refreshed since) at first use.
        accessToken: stored.accessToken,
        ...(stored.refreshToken === undefined ? {} : { refreshToken: stored.refreshToken }),
        clientEndpoint: stored.clientEndpoint,
        memberId,
        clientId: application.clientId,
        ...(application.clientSecret === undefined ? {} : { clientSecret: application.clientSecret }),
        ...(stored.serverEndpoint === undefined ? {} : { oauthUrl: tokenEndpointFrom(stored.serverEndpoint) }),
        ...(limiter.rateLimiter === undefined ? {} : { rateLimiter: limiter.rateLimiter }),
        ...(limiter.rate === undefined ? {} : { rate: limiter.rate }),
        ...(limiter.burst === undefined ? {} : { burst: limiter.burst }),
      },
      ...(this.options.defaultRateLimiter === undefined ? {} : { defaultRateLimiter: this.options.defaultRateLimiter }),
      ...(this.options.limiterPath === undefined ? {} : { limiterPath: this.options.limiterPath }),
      clientOptions: {
        ...(this.options.transport === undefined ? {} : { transport: this.options.transport }),
        ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      },
    });
    return opened.client;
  }
}
