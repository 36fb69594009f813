/**
 * The transport faults a request may meet before the portal handles it (`POST /_emulator/faults`), the
 * same for REST v2 and v3: a delay, a connection dropped before any answer, or a 502/503 page from the
 * proxy (and a 500, which v2 answers as JSON). Returns the fault decided for the request (for what it
 * does after the method ran), or undefined when the fault already answered it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from './emulator-core.ts';
import { sendHtml } from './http-io.ts';
import { countInto, type EmulatorStats } from './stats.ts';

export function pause(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export async function applyTransportFault(
  core: EmulatorCore,
  stats: EmulatorStats,
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  answer500?: (response: ServerResponse) => void,
): Promise<ReturnType<EmulatorCore['faults']['decide']> | undefined> {
  const fault = core.faults.decide(method);
  await pause(fault.delayMs);
  if (fault.drop === 'before') {
    stats.droppedConnections += 1;
    request.socket.destroy();
    return undefined;
  }
  if (fault.status === undefined) return fault;
  countInto(stats.statuses, String(fault.status));
  if (fault.status === 500 && answer500 !== undefined) answer500(response);
  else sendHtml(response, fault.status, fault.status === 502 ? 'Bad Gateway' : 'Service Temporarily Unavailable');
  return undefined;
}
