/** Why a fleet command refused (exit 2) or could not reach its queue (exit 1). */
import { B24ChainError, RefusalError } from '../errors/index.ts';

/** Bad fleet input: a missing setting, a bad portal name or portals file, a conflicting option; nothing was enqueued. */
export class FleetRefusedError extends RefusalError {
  override name = 'FleetRefusedError';
}

/** The fleet queue (Redis) failed: not reachable, or an answer the command cannot use. */
export class FleetQueueError extends B24ChainError {
  override name = 'FleetQueueError';
}
