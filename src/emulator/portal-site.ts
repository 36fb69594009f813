/**
 * Where one emulated portal is served: the first at the root URL, the others (`portals: N`) under
 * `/portal/<name>/` on the same server, each with its own credentials and statistics. Portals made
 * later through `POST /_emulator/apps {"portal": "new"}` are served at the root as well.
 */
import type { AppCredential, TokenPair, WebhookCredential } from './credentials.ts';
import type { PortalState } from './portal-state.ts';
import type { EmulatorStats } from './stats.ts';

/** The path under which the portals after the first are served: `/portal/<name>`. */
export const PORTAL_PATH = '/portal/';

export interface PortalSite {
  /** `p1`, `p2`, …: `p1` is the root. */
  name: string;
  /** `''` at the root, `/portal/<name>` otherwise. */
  pathPrefix: string;
  portal: PortalState;
  /** The printed webhook (user 1) and demo application of this portal. */
  webhook: WebhookCredential;
  app: AppCredential;
  appTokens: TokenPair;
  /** Requests addressed to this portal's base URL. */
  stats: EmulatorStats;
  inFlight: number;
}

export function portalSiteName(index: number): string {
  return `p${index + 1}`;
}

/** `/portal/p7/rest/x` → `{name: 'p7', rest: '/rest/x'}`; undefined for a path outside `/portal/`. */
export function splitPortalPath(pathname: string): { name: string; rest: string } | undefined {
  if (!pathname.startsWith(PORTAL_PATH)) return undefined;
  const after = pathname.slice(PORTAL_PATH.length);
  const slash = after.indexOf('/');
  const name = slash === -1 ? after : after.slice(0, slash);
  return { name, rest: slash === -1 ? '/' : after.slice(slash) };
}
