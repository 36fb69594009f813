export { startEmulator, type RunningEmulator } from './start-emulator.ts';
export { resolveEmulatorOptions, realisticExecutionMs, type EmulatorOptions } from './options.ts';
export type { EmulatorStats } from './stats.ts';
export type { FaultConfig, FaultRule } from './faults.ts';
export type { AppDescription, WebhookDescription } from './describe-credentials.ts';
export type { PortalDescription } from './describe-portal-sites.ts';
export { PortalState } from './portal-state.ts';
