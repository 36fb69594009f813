/**
 * Event handlers bound by applications (`event.bind`) and the offline queue they feed. A change made
 * in the portal is offered to every offline binding of its event; a binding with a connector does not
 * receive the changes written with that same `auth_connector` (protocol.md §8), so an app's own writes
 * do not loop back into its queue.
 */
import { OfflineQueue } from './offline-queue.ts';

export interface PortalEventBinding {
  id: number;
  appId: string;
  /** Upper-case event name. */
  event: string;
  /** '' for offline bindings. */
  handler: string;
  /** The user whose auth the handler gets; 0 for the user who caused the event. */
  authType: number;
  connectorId: string;
  offline: boolean;
  options: Record<string, number>;
}

export interface EventSource {
  userId: number;
  /** `auth_connector` sent with the write, '' without. */
  authConnector: string;
  nowMs: number;
}

export class EventState {
  readonly queue = new OfflineQueue();
  private bindings: PortalEventBinding[] = [];
  private offlineByEvent = new Map<string, PortalEventBinding[]>();
  private lastBindingId = 0;

  list(): readonly PortalEventBinding[] {
    return this.bindings;
  }

  /** Adds a binding; undefined when the same handler is already bound (the portal's unique key). */
  bind(binding: Omit<PortalEventBinding, 'id'>): PortalEventBinding | undefined {
    const duplicate = this.bindings.some(
      (existing) =>
        existing.appId === binding.appId &&
        existing.event === binding.event &&
        existing.handler === binding.handler &&
        existing.authType === binding.authType &&
        existing.connectorId === binding.connectorId,
    );
    if (duplicate) return undefined;
    this.lastBindingId += 1;
    const stored: PortalEventBinding = { ...binding, id: this.lastBindingId };
    this.bindings.push(stored);
    this.reindex();
    return stored;
  }

  /** Removes the bindings `matches` accepts; returns how many. */
  unbind(matches: (binding: PortalEventBinding) => boolean): number {
    const before = this.bindings.length;
    this.bindings = this.bindings.filter((binding) => !matches(binding));
    this.reindex();
    return before - this.bindings.length;
  }

  /** Offers one change to the offline bindings of `eventName`. */
  emit(eventName: string, eventData: unknown, source: EventSource): void {
    const bindings = this.offlineByEvent.get(eventName);
    if (!bindings) return;
    for (const binding of bindings) {
      if (binding.connectorId !== '' && binding.connectorId === source.authConnector) continue;
      this.queue.upsert({
        appId: binding.appId,
        connectorId: binding.connectorId,
        eventName,
        eventData,
        additional: { user_id: source.userId },
        nowMs: source.nowMs,
      });
    }
  }

  clear(): void {
    this.bindings = [];
    this.offlineByEvent.clear();
    this.queue.clear();
    this.lastBindingId = 0;
  }

  private reindex(): void {
    this.offlineByEvent = new Map();
    for (const binding of this.bindings) {
      if (!binding.offline) continue;
      const list = this.offlineByEvent.get(binding.event) ?? [];
      list.push(binding);
      this.offlineByEvent.set(binding.event, list);
    }
  }
}
