/**
 * Crash recovery (DESIGN.md §8). Saved reservations are read again by the loop through their
 * `process_id`; this finds the ones never saved — the worker died between `event.offline.get` and
 * saving its answer, or the answer was lost — with `event.offline.list` filtered by PROCESS_ID, and
 * adopts them, so no row waits for the portal's 30-day purge. One worker per application queue (and
 * `auth_connector`): a reservation another live reader holds would be adopted too.
 */
import { findReservations } from './queue-client.ts';
import type { WorkerContext } from './worker-context.ts';

export async function adoptUnknownReservations(context: WorkerContext): Promise<number> {
  const listed = await findReservations(context.client, context.scope);
  let adopted = 0;
  for (const reservation of listed) {
    const known = context.reservations.reservation(reservation.processId);
    if (known && known.status === 'open') continue;
    context.reservations.saveReservation(reservation.processId, reservation.errorRead, []);
    context.emit({ type: 'adopted', processId: reservation.processId, rows: reservation.rowIds.length, errorRead: reservation.errorRead });
    adopted += 1;
  }
  return adopted;
}
