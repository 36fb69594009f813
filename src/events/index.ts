/** Events (DESIGN.md §8): the offline-event worker, the online-event receiver, dead letters, bindings. */
export { runWorker, type WorkerOptions, type WorkerSummary } from './run-worker.ts';
export { resolveWorkerSettings, parseDuration, workerDefaults, type WorkerSettings, type ResolvedWorkerSettings } from './worker-options.ts';
export { retryDelayMs, type WorkerEvent } from './worker-context.ts';
export { loadHandler, findEventSteps, type EventHandler } from './load-handler.ts';
export { checkEventRow, identityOf, type CheckedRow, type HandlerEvent, type RowIdentity } from './event-row.ts';
export { runHandler, verdictsOfRun, isTransientRunError, type RowVerdict, type HandlerRunOptions, type HandlerRunResult } from './run-handler.ts';
export { ReservationStore, type ReservationRecord, type SavedRow, type RowStatus } from '../store/index.ts';
export { DeadLetterStore, type DeadLetter, type DeadLetterInput, type DeadLetterSource, type DeadLetterStatus, type UnknownWrite } from '../store/index.ts';
export { checkDeadLetterRetry } from './retry-dead-letters.ts';
export { findUnknownWrites, riskyWrites } from './find-unknown-writes.ts';
export { claimWorkerQueue, workerLeaseResource, workerRunningError, type WorkerQueue, type WorkerQueueClaim } from './claim-worker-queue.ts';
export {
  reserveEvents,
  rereadReservation,
  clearEventRows,
  markEventErrors,
  findReservations,
  type QueueScope,
  type Reservation,
  type ListedReservation,
} from './queue-client.ts';
export { withAuthConnector } from './with-auth-connector.ts';
export { bindEvents, listBindings, type BindRequest, type BindResult, type EventBinding } from './bind-events.ts';
export { openEventClient, type OpenEventClientOptions, type OpenedEventClient } from './open-event-client.ts';
export { startEventReceiver, type EventReceiver, type EventReceiverOptions, type ReceiverProcessing } from './start-event-receiver.ts';
export { acceptOnlineEvent, type ReceiverAnswer } from './accept-online-event.ts';
export { createInstallGate, type InstallGate } from './install-gate.ts';
export { verifyInstall, type InstallVerdict, type VerifiedInstall } from './verify-install.ts';
export { readInstallClaim, type InstallClaim } from './read-install-claim.ts';
export { resolveReceiverTrust, DEFAULT_OAUTH_SERVER, type ReceiverTrust, type ConfiguredPortal, type TrustedApplication } from './receiver-trust.ts';
export { PortalConnections, type PortalConnectionsOptions } from './portal-connections.ts';
export { parseEventForm, type OnlineEvent, type ParsedEventForm } from './parse-event-form.ts';
export { digestApplicationToken, matchesApplicationToken } from './application-token.ts';
export { InboxStore, type InboxEvent, type InboxStatus, type InstalledPortal } from '../store/index.ts';
export { processInbox, toHandlerEvent, type InboxRound } from './process-inbox.ts';
export { EventsRefusedError, EventQueueError, applicationRequired, explainQueueError } from './event-errors.ts';
