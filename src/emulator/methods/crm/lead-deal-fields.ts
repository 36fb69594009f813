/** Lead and deal fields as `crm.lead.fields` / `crm.deal.fields` describe them (protocol.md §9). */
import type { CrmRecord } from '../../state/crm-state.ts';
import { primaryContactId } from './crm-contact-bindings.ts';
import {
  activityFields,
  addressFields,
  auditFields,
  contactPresenceFields,
  field,
  multifields,
  originFields,
  utmFields,
  type CrmFieldDefinition,
} from './crm-field-definition.ts';

/** P in progress, S success, F failure. */
export function leadSemantic(statusId: unknown): 'P' | 'S' | 'F' {
  if (statusId === 'CONVERTED') return 'S';
  if (statusId === 'JUNK') return 'F';
  return 'P';
}

export function dealSemantic(stageId: unknown): 'P' | 'S' | 'F' {
  const stage = String(stageId ?? '').replace(/^C\d+:/, '');
  if (stage === 'WON') return 'S';
  if (stage === 'LOSE' || stage === 'APOLOGY') return 'F';
  return 'P';
}

function isReturnCustomer(record: CrmRecord): 'Y' | 'N' {
  return primaryContactId(record) !== null || record.COMPANY_ID ? 'Y' : 'N';
}

export function leadFields(): CrmFieldDefinition[] {
  return [
    field('ID', 'integer', 'ID', 'R'),
    field('TITLE', 'string', 'Lead Title'),
    field('HONORIFIC', 'crm_status', 'Salutation', '', { statusType: 'HONORIFIC' }),
    field('NAME', 'string', 'First Name'),
    field('SECOND_NAME', 'string', 'Middle Name'),
    field('LAST_NAME', 'string', 'Last Name'),
    field('BIRTHDATE', 'date', 'Birthdate'),
    field('COMPANY_TITLE', 'string', 'Company Name'),
    field('SOURCE_ID', 'crm_status', 'Source', '', { statusType: 'SOURCE' }),
    field('SOURCE_DESCRIPTION', 'string', 'Additional Source Information'),
    field('STATUS_ID', 'crm_status', 'Stage', '', { statusType: 'STATUS', itemName: 'stageId' }),
    field('STATUS_DESCRIPTION', 'string', 'Additional Stage Information'),
    field('STATUS_SEMANTIC_ID', 'string', 'Status Semantic', 'R', {
      itemName: 'stageSemanticId',
      compute: (record) => leadSemantic(record.STATUS_ID),
    }),
    field('POST', 'string', 'Position'),
    ...addressFields(),
    field('CURRENCY_ID', 'crm_currency', 'Currency'),
    field('OPPORTUNITY', 'double', 'Amount'),
    field('IS_MANUAL_OPPORTUNITY', 'char', 'IS_MANUAL_OPPORTUNITY'),
    field('OPENED', 'char', 'Available to All'),
    field('COMMENTS', 'string', 'Comment'),
    ...contactPresenceFields(),
    ...auditFields(),
    field('MOVED_BY_ID', 'user', 'MOVED_BY_ID', 'R', { itemName: 'movedBy' }),
    field('MOVED_TIME', 'datetime', 'MOVED_TIME', 'R'),
    field('COMPANY_ID', 'crm_company', 'Company'),
    field('CONTACT_ID', 'crm_contact', 'Contact', '', { binding: 'primary' }),
    field('CONTACT_IDS', 'crm_contact', 'CONTACT_IDS', 'MH', { binding: 'ids' }),
    field('IS_RETURN_CUSTOMER', 'char', 'Returning Lead', 'R', { compute: isReturnCustomer }),
    field('DATE_CLOSED', 'datetime', 'Closing Date', 'R'),
    ...originFields(),
    ...utmFields(),
    ...activityFields(),
    ...multifields(),
  ];
}

export function dealFields(): CrmFieldDefinition[] {
  return [
    field('ID', 'integer', 'ID', 'R'),
    field('TITLE', 'string', 'Name'),
    field('TYPE_ID', 'crm_status', 'Type', '', { statusType: 'DEAL_TYPE' }),
    field('CATEGORY_ID', 'crm_category', 'Pipeline', 'I'),
    field('STAGE_ID', 'crm_status', 'Deal Stage', '', { statusType: 'DEAL_STAGE' }),
    field('STAGE_SEMANTIC_ID', 'string', 'Stage Group', 'R', { compute: (record) => dealSemantic(record.STAGE_ID) }),
    field('IS_NEW', 'char', 'New Deal', 'R', { compute: (record) => (record.STAGE_ID === 'NEW' || /^C\d+:NEW$/.test(String(record.STAGE_ID)) ? 'Y' : 'N') }),
    field('IS_RECURRING', 'char', 'Recurring Deal'),
    field('IS_RETURN_CUSTOMER', 'char', 'Repeat Deal', 'R', { compute: isReturnCustomer }),
    field('IS_REPEATED_APPROACH', 'char', 'Repeat Inquiry', 'R', { compute: () => 'N' }),
    field('PROBABILITY', 'integer', 'Probability'),
    field('CURRENCY_ID', 'crm_currency', 'Currency'),
    field('OPPORTUNITY', 'double', 'Amount'),
    field('IS_MANUAL_OPPORTUNITY', 'char', 'IS_MANUAL_OPPORTUNITY'),
    field('TAX_VALUE', 'double', 'Tax Rate'),
    field('COMPANY_ID', 'crm_company', 'Company'),
    field('CONTACT_ID', 'crm_contact', 'Contact', '', { binding: 'primary' }),
    field('CONTACT_IDS', 'crm_contact', 'Contacts', 'MH', { binding: 'ids' }),
    field('QUOTE_ID', 'crm_quote', 'Quote', 'R'),
    field('BEGINDATE', 'date', 'Start Date'),
    field('CLOSEDATE', 'date', 'Estimated Close Date'),
    field('OPENED', 'char', 'Available to Everyone'),
    field('CLOSED', 'char', 'Closed'),
    field('COMMENTS', 'string', 'Comment'),
    ...auditFields(),
    field('MOVED_BY_ID', 'user', 'MOVED_BY_ID', 'R', { itemName: 'movedBy' }),
    field('MOVED_TIME', 'datetime', 'MOVED_TIME', 'R'),
    field('SOURCE_ID', 'crm_status', 'Source', '', { statusType: 'SOURCE' }),
    field('SOURCE_DESCRIPTION', 'string', 'Source Information'),
    field('LEAD_ID', 'crm_lead', 'Lead', 'L'),
    field('ADDITIONAL_INFO', 'string', 'Additional Information'),
    field('LOCATION_ID', 'location', 'Location'),
    ...originFields(),
    ...utmFields(),
    ...activityFields(),
  ];
}
