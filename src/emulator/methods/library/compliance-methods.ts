/**
 * The compliance pack: consent agreements (`userconsent.agreement.list`, `.text` with the `replace`
 * substitutions, `userconsent.consent.add` keyed by ORIGIN_ID/ORIGINATOR_ID but, as on a portal, never
 * deduplicated and never listed), and the signed-document tails of e-signature for HR
 * (`sign.b2e.personal.tail`, `sign.b2e.mysafe.tail`: application context only, newest first, `limit`
 * 1..50 (default 20) and `offset`, no `next`).
 */
import { phpIsoDate } from '../../envelope.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { isPlainObject, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

const agreements = (call: MethodCall): RecordTable<GenericRecord> => call.portal.genericTable('userconsent.agreement');
const consents = (call: MethodCall): RecordTable<GenericRecord> => call.portal.genericTable('userconsent.consent');

function agreement(call: MethodCall, name: string): GenericRecord {
  const raw = pickParamAnyCase(call.params, name);
  if (raw === undefined || raw === '') throw new RestError('ERROR_ARGUMENT', 'Parameter `Agreement ID` required.', 400);
  const id = positiveInteger(raw);
  const row = id === undefined ? undefined : agreements(call).get(id);
  if (!row) throw new RestError('ERROR_ARGUMENT', `Agreement with id \`${textOf(raw)}\` not found`, 400);
  return row;
}

function substitute(template: string, values: Record<string, unknown>): string {
  return template.replace(/%([A-Z_]+)%/g, (_whole, name: string) => (values[name] === undefined ? '' : textOf(values[name])));
}

function consentMethods(): MethodSpec[] {
  return [
    {
      name: 'userconsent.agreement.list',
      scope: 'userconsent',
      kind: 'read',
      handler: (call) => ({ result: [...agreements(call).values()].map((row) => ({ ID: String(row.ID), NAME: row.NAME, ACTIVE: row.ACTIVE })) }),
    },
    {
      name: 'userconsent.agreement.text',
      scope: 'userconsent',
      kind: 'read',
      handler: (call) => {
        const row = agreement(call, 'id');
        const replace = pickParamAnyCase(call.params, 'replace');
        const options = isPlainObject(replace) ? replace : {};
        const fields = isPlainObject(options.fields) ? options.fields : {};
        const button = textOf(options.button_caption) || 'I agree';
        return { result: { LABEL: substitute(textOf(row.LABEL), { ...fields, BUTTON_CAPTION: button }), TEXT: substitute(textOf(row.TEXT), fields) } };
      },
    },
    {
      name: 'userconsent.consent.add',
      scope: 'userconsent',
      kind: 'write',
      handler: (call) => {
        const row = agreement(call, 'AGREEMENT_ID');
        const ip = textOf(pickParamAnyCase(call.params, 'IP')).trim();
        if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip) && !/^[0-9a-f:]+$/i.test(ip)) throw new RestError('ERROR_ARGUMENT', 'Invalid IP address', 400);
        const id = consents(call).allocateId();
        consents(call).insert(id, {
          ID: id,
          AGREEMENT_ID: row.ID,
          IP: ip,
          USER_ID: positiveInteger(pickParamAnyCase(call.params, 'USER_ID')) ?? null,
          URL: textOf(pickParamAnyCase(call.params, 'URL')),
          ORIGIN_ID: textOf(pickParamAnyCase(call.params, 'ORIGIN_ID')),
          ORIGINATOR_ID: textOf(pickParamAnyCase(call.params, 'ORIGINATOR_ID')),
          DATE_INSERT: phpIsoDate(call.nowMs),
        });
        return { result: id };
      },
    },
  ];
}

/** A tail: the user's signed documents (personal) or the company safe's (mysafe), newest first. */
function tail(family: string) {
  return (call: MethodCall) => {
    const limitRaw = pickParamAnyCase(call.params, 'limit');
    const limit = limitRaw === undefined ? 20 : positiveInteger(limitRaw);
    if (limit === undefined || limit > 50) throw new RestError('ERROR_ARGUMENT', 'limit must be from 1 to 50', 400);
    const offset = Math.max(0, Number(pickParamAnyCase(call.params, 'offset') ?? 0) || 0);
    const rows = [...call.portal.genericTable(family).values()].filter((row) => family === 'sign.mysafe' || row.USER_ID === call.auth.userId).reverse();
    return {
      result: rows.slice(offset, offset + limit).map((row) => ({
        id: row.ID,
        title: row.title,
        signed_date: row.signed_date,
        file_url: `https://${call.portal.domain}/rest/download.json?token=sign.b2e%7C${row.ID}`,
      })),
    };
  };
}

export function complianceMethods(): MethodSpec[] {
  return [
    ...consentMethods(),
    { name: 'sign.b2e.personal.tail', scope: 'sign.b2e', kind: 'read', appOnly: true, handler: tail('sign.personal') },
    { name: 'sign.b2e.mysafe.tail', scope: 'sign.b2e', kind: 'read', appOnly: true, handler: tail('sign.mysafe') },
  ];
}
