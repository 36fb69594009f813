/** What one emulator instance holds: portals, credentials, limits, faults and statistics. */
import { CredentialRegistry } from './credentials.ts';
import type { CommandEnvironment } from './execute-command.ts';
import { FaultInjector } from './faults.ts';
import { buildMethodTable } from './methods/index.ts';
import { OperatingBudget } from './operating-budget.ts';
import type { ResolvedEmulatorOptions } from './options.ts';
import type { PortalState } from './portal-state.ts';
import { PORTAL_PATH, portalSiteName, type PortalSite } from './portal-site.ts';
import { RateBucket } from './rate-bucket.ts';
import { emptyStats, sumStats, type EmulatorStats } from './stats.ts';
import type { MethodSpec } from './types.ts';
import { seedPortal } from './seed-portal.ts';
import { resetV3State } from './v3/handle-rest-v3.ts';

export class EmulatorCore {
  readonly registry: CredentialRegistry;
  readonly methods: Map<string, MethodSpec> = buildMethodTable();
  readonly budget: OperatingBudget;
  readonly faults = new FaultInjector();
  /** The portals served at their own base URL, the root one first (`options.portals` of them). */
  readonly sites: PortalSite[] = [];
  /** Peak simultaneous requests over all portals. */
  peakConcurrency = 0;
  private readonly buckets = new Map<PortalState, RateBucket>();
  private readonly siteByName = new Map<string, PortalSite>();
  private readonly siteByPortal = new Map<PortalState, PortalSite>();

  constructor(
    readonly options: ResolvedEmulatorOptions,
    /** `http(s)://127.0.0.1:PORT`, no trailing slash. */
    readonly rootUrl: string,
  ) {
    this.registry = new CredentialRegistry(options.tokenLifetimeSeconds * 1000);
    this.budget = new OperatingBudget(options.operatingLimitSeconds);
    const host = new URL(rootUrl).host;
    for (let index = 0; index < options.portals; index += 1) {
      const name = portalSiteName(index);
      const pathPrefix = index === 0 ? '' : `${PORTAL_PATH}${name}`;
      const portal = this.registry.createPortal(`${host}${pathPrefix}`);
      seedPortal(portal, options);
      const webhook = this.registry.addWebhook(portal, { userId: 1 });
      const installed = this.registry.addApp(portal, options.clock.now(), { userId: 1 });
      const site: PortalSite = { name, pathPrefix, portal, webhook, app: installed.app, appTokens: installed.tokens, stats: emptyStats(), inFlight: 0 };
      this.sites.push(site);
      this.siteByName.set(name, site);
      this.siteByPortal.set(portal, site);
    }
  }

  /** The portal at the root URL, with the printed webhook and demo application. */
  get root(): PortalSite {
    return this.sites[0] as PortalSite;
  }

  get portal(): PortalState {
    return this.root.portal;
  }

  /** Every portal's statistics added up. */
  get stats(): EmulatorStats {
    return sumStats(
      this.sites.map((site) => site.stats),
      this.peakConcurrency,
    );
  }

  siteNamed(name: string): PortalSite | undefined {
    return this.siteByName.get(name);
  }

  /** Where a portal is served: its own site, or the root for portals made through `/_emulator/apps`. */
  siteOf(portal: PortalState): PortalSite {
    return this.siteByPortal.get(portal) ?? this.root;
  }

  /** `http://127.0.0.1:PORT[/portal/<name>]`. */
  urlOf(site: PortalSite): string {
    return `${this.rootUrl}${site.pathPrefix}`;
  }

  /** What method execution needs, counting into this portal's statistics. */
  environmentFor(site: PortalSite): CommandEnvironment {
    return {
      options: this.options,
      methods: this.methods,
      budget: this.budget,
      stats: site.stats,
      onInternalError: (method, error) => this.onInternalError(method, error),
    };
  }

  bucketFor(portal: PortalState): RateBucket {
    let bucket = this.buckets.get(portal);
    if (!bucket) {
      bucket = new RateBucket(this.options.rate, this.options.burst, this.options.clock.now());
      this.buckets.set(portal, bucket);
    }
    return bucket;
  }

  /** State, statistics, limits and faults back to the start; credentials stay valid. */
  reset(): void {
    for (const portal of this.registry.portals) {
      portal.clearAll();
      if (this.siteByPortal.has(portal)) seedPortal(portal, this.options);
    }
    for (const site of this.sites) site.stats = emptyStats();
    this.peakConcurrency = 0;
    this.buckets.clear();
    this.budget.clear();
    this.faults.clear();
    resetV3State(this);
  }

  onInternalError(method: string, error: unknown): void {
    this.options.onInternalError(method, error);
  }
}
