/**
 * Calls method handlers directly, as the emulator core does after auth and scope checks: a portal, a
 * fake OAuth administrator of app `app.test`, and an emulator clock the test moves by hand.
 */
import assert from 'node:assert/strict';
import { buildMethodTable } from '../../../src/emulator/methods/index.ts';
import { PortalState } from '../../../src/emulator/portal-state.ts';
import { RestError, type AuthContext, type MethodResult, type Params } from '../../../src/emulator/types.ts';

export const TEST_START_MS = Date.UTC(2026, 2, 1, 12, 0, 0);

export interface Harness {
  portal: PortalState;
  auth: AuthContext;
  /** Calls a method; a RestError propagates. */
  call(method: string, params?: Params, auth?: Partial<AuthContext>): MethodResult;
  /** Calls a method that must fail, and returns its error. */
  fail(method: string, params?: Params, auth?: Partial<AuthContext>): RestError;
  advance(ms: number): void;
  now(): number;
}

const table = buildMethodTable();

export function createHarness(portal = new PortalState({ memberId: 'member-test', domain: 'portal.example.test' })): Harness {
  let nowMs = TEST_START_MS;
  const auth: AuthContext = {
    type: 'oauth',
    portal,
    userId: 1,
    isAdmin: true,
    scopes: new Set(['crm', 'task', 'im', 'user', 'department']),
    credentialKey: 'oauth:test',
    appId: 'app.test',
  };
  const call = (method: string, params: Params = {}, overrides: Partial<AuthContext> = {}): MethodResult => {
    const spec = table.get(method);
    assert.ok(spec, `method ${method} is registered`);
    return spec.handler({ method, params, auth: { ...auth, ...overrides }, portal, nowMs });
  };
  return {
    portal,
    auth,
    call,
    fail(method, params = {}, overrides = {}) {
      try {
        call(method, params, overrides);
      } catch (error) {
        if (error instanceof RestError) return error;
        throw error;
      }
      assert.fail(`${method} was expected to fail`);
    },
    advance(ms) {
      nowMs += ms;
    },
    now: () => nowMs,
  };
}

export function methodTable(): ReturnType<typeof buildMethodTable> {
  return table;
}

/** The rows of a bare-array list result. */
export function rowsOf(result: MethodResult): Array<Record<string, unknown>> {
  assert.ok(Array.isArray(result.result), 'result is an array');
  return result.result as Array<Record<string, unknown>>;
}
