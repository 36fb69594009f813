/**
 * What the guarded call needs from a Bitrix24 client: the portal it talks to and one `call`.
 * `B24Client` fits through `toCallClient`; tests may pass their own.
 */
import type { B24Client } from '../client/index.ts';

export interface CallAnswer {
  result: unknown;
  total?: number;
  next?: number;
  time?: unknown;
}

export interface CallClient {
  /** Portal key (host for webhooks, member_id for applications): plans and idempotency records are bound to it. */
  readonly portalKey: string;
  call(method: string, params: Record<string, unknown>, options?: { write?: boolean; signal?: AbortSignal; idempotencyKey?: string }): Promise<CallAnswer>;
}

/** Adapts a `B24Client` (the client sends nothing until `call`). */
export function toCallClient(client: B24Client): CallClient {
  return {
    portalKey: client.connection.portalKey,
    call: (method, params, options) => client.call(method, params, options),
  };
}
