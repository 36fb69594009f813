/** What one emulator instance holds: portals, credentials, limits, faults and statistics. */
import { CredentialRegistry, type AppCredential, type TokenPair, type WebhookCredential } from './credentials.ts';
import type { CommandEnvironment } from './execute-command.ts';
import { FaultInjector } from './faults.ts';
import { buildMethodTable } from './methods/index.ts';
import { OperatingBudget } from './operating-budget.ts';
import type { ResolvedEmulatorOptions } from './options.ts';
import type { PortalState } from './portal-state.ts';
import { RateBucket } from './rate-bucket.ts';
import { emptyStats, type EmulatorStats } from './stats.ts';
import type { MethodSpec } from './types.ts';
import { seedPortal } from './seed-portal.ts';
import { resetV3State } from './v3/handle-rest-v3.ts';

export class EmulatorCore implements CommandEnvironment {
  readonly registry: CredentialRegistry;
  readonly methods: Map<string, MethodSpec> = buildMethodTable();
  readonly budget: OperatingBudget;
  readonly faults = new FaultInjector();
  stats: EmulatorStats = emptyStats();
  private readonly buckets = new Map<PortalState, RateBucket>();
  /** The first portal, with the printed webhook and demo application. */
  readonly portal: PortalState;
  readonly webhook: WebhookCredential;
  readonly app: AppCredential;
  readonly appTokens: TokenPair;

  constructor(
    readonly options: ResolvedEmulatorOptions,
    domain: string,
  ) {
    this.registry = new CredentialRegistry(options.tokenLifetimeSeconds * 1000);
    this.budget = new OperatingBudget(options.operatingLimitSeconds);
    this.portal = this.registry.createPortal(domain);
    seedPortal(this.portal, options);
    this.webhook = this.registry.addWebhook(this.portal, { userId: 1 });
    const installed = this.registry.addApp(this.portal, options.clock.now(), { userId: 1 });
    this.app = installed.app;
    this.appTokens = installed.tokens;
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
      if (portal === this.portal) seedPortal(portal, this.options);
    }
    this.stats = emptyStats();
    this.buckets.clear();
    this.budget.clear();
    this.faults.clear();
    resetV3State(this);
  }

  onInternalError(method: string, error: unknown): void {
    this.options.onInternalError(method, error);
  }
}
