/** Fills a new portal as the options ask: the demo CRM and generated leads. */
import type { ResolvedEmulatorOptions } from './options.ts';
import type { PortalState } from './portal-state.ts';

export function seedPortal(_portal: PortalState, _options: ResolvedEmulatorOptions): void {
  // Wired to the demo seed and the lead generator once they land (src/emulator/seed/).
}
