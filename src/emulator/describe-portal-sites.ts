/** `GET /_emulator/portals` and the start-up print: each portal's base URL, fake credentials and statistics. */
import { describeApp, type AppDescription } from './describe-credentials.ts';
import type { EmulatorCore } from './emulator-core.ts';
import type { PortalSite } from './portal-site.ts';
import type { EmulatorStats } from './stats.ts';

export interface PortalDescription {
  /** `p1` (the root URL), `p2`, … */
  name: string;
  /** The portal's base URL: what `B24_DOMAIN` (or a profile's `domain`) takes. */
  url: string;
  /** `<url>/rest/1/<code>/` */
  webhookUrl: string;
  userId: number;
  code: string;
  memberId: string;
  /** The demo application installed on it, with the tokens issued at start. */
  app: AppDescription;
  stats?: EmulatorStats;
}

export function describePortalSite(core: EmulatorCore, site: PortalSite, withStats: boolean): PortalDescription {
  const url = core.urlOf(site);
  const description: PortalDescription = {
    name: site.name,
    url,
    webhookUrl: `${url}/rest/${site.webhook.userId}/${site.webhook.code}/`,
    userId: site.webhook.userId,
    code: site.webhook.code,
    memberId: site.portal.memberId,
    app: describeApp(url, site.app, site.appTokens),
  };
  if (withStats) description.stats = structuredClone(site.stats);
  return description;
}
