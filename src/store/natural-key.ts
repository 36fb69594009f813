/**
 * The natural idempotency key of a create call (DESIGN.md §4, §6): CRM entities carry `ORIGINATOR_ID`
 * (who created it) and `ORIGIN_ID` (its id there), so a second create with the same pair is the same
 * record. Only creating methods (`*.add`, `*.create`, `*.import`) have one: on an update the pair names
 * the record being changed, not the request, and two different updates are not a conflict.
 */

const creatingActions = new Set(['add', 'create', 'import']);

/** `ORIGIN_ID`, `origin_id`, `originId` → `originid`. */
function normalizeName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

function fieldValue(container: unknown, name: string): unknown {
  if (container === null || typeof container !== 'object' || Array.isArray(container)) return undefined;
  for (const [key, value] of Object.entries(container)) {
    if (normalizeName(key) === name) return value;
  }
  return undefined;
}

function asKeyPart(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Whether the method creates a record (its last segment is add, create or import). */
export function isCreatingMethod(method: string): boolean {
  const action = method.trim().toLowerCase().split('.').pop() ?? '';
  return creatingActions.has(action);
}

export interface NaturalKeyParts {
  /** `''` when the call names no originator. */
  originator: string;
  origin: string;
  /** `crm.item.add` keys include the entity type. */
  entityTypeId?: string;
}

/** The parts of a create call's natural key (see `naturalKey`), or undefined when it has none. */
export function naturalKeyParts(method: string, params: Record<string, unknown>): NaturalKeyParts | undefined {
  if (!isCreatingMethod(method)) return undefined;
  const fields = fieldValue(params, 'fields');
  const origin = asKeyPart(fieldValue(fields, 'originid')) ?? asKeyPart(fieldValue(params, 'originid'));
  if (origin === undefined) return undefined;
  const originator = asKeyPart(fieldValue(fields, 'originatorid')) ?? asKeyPart(fieldValue(params, 'originatorid')) ?? '';
  const entityTypeId = asKeyPart(fieldValue(params, 'entitytypeid'));
  return entityTypeId === undefined ? { originator, origin } : { originator, origin, entityTypeId };
}

/**
 * `ORIGINATOR_ID=…&ORIGIN_ID=…` from `params.fields` (or the top level), in any key case
 * (`originatorId` for `crm.item.add`, which also puts its `entityTypeId` in the key); undefined when
 * the method does not create or there is no `ORIGIN_ID`.
 */
export function naturalKey(method: string, params: Record<string, unknown>): string | undefined {
  const parts = naturalKeyParts(method, params);
  if (parts === undefined) return undefined;
  const prefix = parts.entityTypeId === undefined ? '' : `entityTypeId=${parts.entityTypeId}&`;
  return `${prefix}ORIGINATOR_ID=${parts.originator}&ORIGIN_ID=${parts.origin}`;
}
