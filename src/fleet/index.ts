/** The public face of src/fleet/: one chain over many portals, as jobs in a BullMQ queue on Redis (DESIGN.md §13). */
export { FleetQueueError, FleetRefusedError } from './fleet-errors.ts';
export { describeRedisUrl, fleetDefaults, type FleetSettings, resolveFleetSettings } from './fleet-settings.ts';
export {
  connectRedis,
  type FleetChain,
  type FleetJobData,
  type FleetJobReport,
  fleetJobId,
  type FleetManifest,
  type FleetQueue,
  openFleetQueue,
} from './fleet-queue.ts';
export { type EnqueuedFleetRun, enqueueFleetRun, type FleetRunRequest, newFleetId, type PreparedFleetRun, prepareFleetRun } from './enqueue-fleet-run.ts';
export {
  checkFleetPortal,
  fleetClientOptions,
  fleetEnvironment,
  type FleetPortalSources,
  parsePortalNames,
  type PortalsFile,
  readPortalsFile,
} from './resolve-fleet-portal.ts';
export { type FleetJobContext, type FleetWorkerEvent, portalLeaseResource, runFleetJob } from './run-fleet-job.ts';
export { type FleetWorkerLifecycleEvent, type FleetWorkerOptions, type RunningFleetWorker, startFleetWorker } from './start-fleet-worker.ts';
export { type FleetJobState, type FleetPortalStatus, type FleetStatus, summariseFleet } from './summarise-fleet.ts';
