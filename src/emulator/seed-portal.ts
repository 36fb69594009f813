/** Fills a new portal as the options ask: the demo CRM and generated leads. */
import type { ResolvedEmulatorOptions } from './options.ts';
import type { PortalState } from './portal-state.ts';
import { generateLeads, loadDemoSeed } from './seed/index.ts';

export function seedPortal(portal: PortalState, options: ResolvedEmulatorOptions): void {
  if (options.seed === 'demo') loadDemoSeed(portal);
  if (options.leads > 0) generateLeads(portal, options.leads, { seed: options.randomSeed, ...(options.leadStatus ? { status: options.leadStatus } : {}) });
}
