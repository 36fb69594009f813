/**
 * The contract between the emulator's HTTP core (server, auth, envelope, limits, batch, faults,
 * stats) and its method families (`methods/*.ts`, one file per family, registered in a table).
 * Adding a method family is a table entry, never new plumbing.
 */
import type { PortalState } from './portal-state.ts';

/** A method's failure, answered as `{error, error_description, ...extra}` with `status`. */
export class RestError extends Error {
  override name = 'RestError';
  constructor(
    /** The Bitrix24 code: may be '', numeric ('100', '0'), lower- or upper-case, as the real portal sends. */
    readonly code: string,
    readonly description: string,
    /** HTTP status of the answer. 200 means "error inside a 200", as some real methods do. */
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
  }
}

export type Params = Record<string, unknown>;

export interface AuthContext {
  type: 'webhook' | 'oauth';
  /** The portal the credential belongs to. */
  portal: PortalState;
  userId: number;
  isAdmin: boolean;
  /** Scopes granted to the webhook or the application. */
  scopes: ReadonlySet<string>;
  /** Key of the per-method operating budget: `apauth:<webhook id>` or `oauth:<client_id>`. */
  credentialKey: string;
  /** The application (OAuth only). */
  appId?: string;
}

export interface MethodCall {
  /** Lower-cased method name. */
  method: string;
  params: Params;
  auth: AuthContext;
  portal: PortalState;
  /** The emulator clock, in milliseconds. */
  nowMs: number;
}

export interface MethodResult {
  result: unknown;
  /** Lifted into the envelope's `total`. */
  total?: number;
  /** Lifted into the envelope's `next` (present only when more rows remain). */
  next?: number;
}

export type MethodHandler = (call: MethodCall) => MethodResult;

export interface MethodSpec {
  /** Lower-case method name, e.g. `crm.lead.add`. */
  name: string;
  /** Scope needed (`basic` for global methods such as server.time, scope, methods, batch, event.*). */
  scope: string;
  /** Reads and writes are charged different simulated execution times. */
  kind: 'read' | 'write';
  /** App-only methods (event.*) answer webhooks with 403 WRONG_AUTH_TYPE. */
  appOnly?: boolean;
  handler: MethodHandler;
}
