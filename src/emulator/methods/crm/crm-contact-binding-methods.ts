/**
 * `crm.{deal,lead}.contact.{add,delete,fields,items.get,items.set,items.delete}` over the same bindings
 * as `CONTACT_ID`/`CONTACT_IDS` and `contactId`/`contactIds` (docs crm/deals/contacts/*.md): add and
 * delete answer `false` when nothing changes, errors carry the empty code with HTTP 400.
 */
import type { CrmRecord } from '../../state/crm-state.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asList, asPhpArray, isPlainObject, pickParam, positiveInteger } from '../read-params.ts';
import { addContactBinding, removeContactBinding, renderBindings, replaceBindings, type BindingInput } from './crm-contact-bindings.ts';
import { legacyEntityType, type CrmEntityType } from './crm-entity-types.ts';
import { toFlag, toInteger } from './crm-values.ts';

/** The owner record, or the documented empty-code errors (the quoted name differs between methods, as documented). */
function findOwner(call: MethodCall, type: CrmEntityType, quoted: boolean, notFound = 'Not found.'): CrmRecord {
  const id = positiveInteger(pickParam(call.params, 'id', 'ID'));
  if (id === undefined)
    throw new RestError('', quoted ? "The parameter 'ownerEntityID' is invalid or not defined." : 'The parameter ownerEntityID is invalid or not defined.');
  const record = call.portal.crm.table(type.entityTypeId).get(id);
  if (!record) throw new RestError('', notFound);
  return record;
}

function readContactId(fields: Record<string, unknown>): number {
  const contactId = positiveInteger(fields.CONTACT_ID);
  if (contactId === undefined) throw new RestError('', "The parameter 'fields' is not valid.");
  return contactId;
}

/** Stores a changed copy of the owner (bindings are replaced, never mutated in place). */
function changeBindings(call: MethodCall, type: CrmEntityType, record: CrmRecord, change: (next: CrmRecord) => boolean): boolean {
  const next: CrmRecord = { ...record };
  const changed = change(next);
  if (changed) call.portal.crm.table(type.entityTypeId).insert(next.ID, next);
  return changed;
}

function bindingField(type: string, title: string, required = false): Record<string, unknown> {
  return { type, isRequired: required, isReadOnly: false, isImmutable: false, isMultiple: false, isDynamic: false, title };
}

function bindingFamily(code: 'deal' | 'lead'): MethodSpec[] {
  const type = legacyEntityType(code);
  const prefix = `crm.${code}.contact`;
  return [
    {
      name: `${prefix}.add`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const record = findOwner(call, type, true);
        const fields = asPhpArray(pickParam(call.params, 'fields', 'FIELDS'));
        if (!fields) throw new RestError('', "The parameter 'fields' must be array.");
        const contactId = readContactId(fields);
        const sort = toInteger(fields.SORT);
        const isPrimary = fields.IS_PRIMARY !== undefined && toFlag(fields.IS_PRIMARY) === 'Y';
        return { result: changeBindings(call, type, record, (next) => addContactBinding(next, contactId, sort, isPrimary)) };
      },
    },
    {
      name: `${prefix}.delete`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const record = findOwner(call, type, true);
        const fields = asPhpArray(pickParam(call.params, 'fields', 'FIELDS'));
        if (!fields) throw new RestError('', "The parameter 'item' must be array.");
        const contactId = readContactId(fields);
        return { result: changeBindings(call, type, record, (next) => removeContactBinding(next, contactId)) };
      },
    },
    {
      name: `${prefix}.items.get`,
      scope: 'crm',
      kind: 'read',
      handler: (call) => ({ result: renderBindings(findOwner(call, type, false)) }),
    },
    {
      name: `${prefix}.items.set`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const record = findOwner(call, type, false);
        const rawItems = pickParam(call.params, 'items', 'ITEMS');
        if (!Array.isArray(rawItems) && !isPlainObject(rawItems)) throw new RestError('', 'The parameter items must be array.');
        const items: BindingInput[] = asList(rawItems)
          .filter(isPlainObject)
          .map((item) => {
            const input: BindingInput = {
              contactId: toInteger(item.CONTACT_ID) ?? 0,
              isPrimary: item.IS_PRIMARY !== undefined && toFlag(item.IS_PRIMARY) === 'Y',
            };
            const sort = toInteger(item.SORT);
            if (sort !== undefined) input.sort = sort;
            return input;
          });
        changeBindings(call, type, record, (next) => {
          replaceBindings(next, items);
          return true;
        });
        return { result: true };
      },
    },
    {
      name: `${prefix}.items.delete`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const record = findOwner(call, type, false, 'Not found');
        changeBindings(call, type, record, (next) => {
          replaceBindings(next, []);
          return true;
        });
        return { result: true };
      },
    },
    {
      name: `${prefix}.fields`,
      scope: 'crm',
      kind: 'read',
      handler: () => ({
        result: {
          CONTACT_ID: bindingField('integer', 'Contact ID', true),
          SORT: bindingField('integer', 'Sort'),
          ROLE_ID: bindingField('integer', 'Role'),
          IS_PRIMARY: bindingField('char', 'Primary'),
        },
      }),
    },
  ];
}

export function crmContactBindingMethods(): MethodSpec[] {
  return [...bindingFamily('deal'), ...bindingFamily('lead')];
}
