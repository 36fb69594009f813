/**
 * The events a portal knows, by the scope that grants them (`events` lists them, `event.bind` refuses
 * others with ERROR_EVENT_NOT_FOUND). Names are UPPER_CASE, as the portal stores them.
 */

function crudEvents(prefix: string): string[] {
  return [`${prefix}ADD`, `${prefix}UPDATE`, `${prefix}DELETE`];
}

export const EVENTS_BY_SCOPE: Readonly<Record<string, readonly string[]>> = {
  basic: ['ONAPPINSTALL', 'ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONAPPPAYMENT', 'ONAPPTEST', 'ONAPPMETHODCONFIRM', 'ONOFFLINEEVENT'],
  crm: [
    ...crudEvents('ONCRMLEAD'),
    ...crudEvents('ONCRMDEAL'),
    ...crudEvents('ONCRMCONTACT'),
    ...crudEvents('ONCRMCOMPANY'),
    ...crudEvents('ONCRMACTIVITY'),
    ...crudEvents('ONCRMDYNAMICITEM'),
    ...crudEvents('ONCRMTIMELINECOMMENT'),
    'ONCRMLEADUSERFIELDADD',
    'ONCRMDEALUSERFIELDADD',
  ],
  task: [...crudEvents('ONTASK'), ...crudEvents('ONTASKCOMMENT')],
  im: ['ONIMMESSAGEADD', 'ONIMMESSAGEUPDATE', 'ONIMMESSAGEDELETE'],
  imbot: ['ONIMBOTMESSAGEADD', 'ONIMBOTMESSAGEUPDATE', 'ONIMBOTMESSAGEDELETE', 'ONIMBOTJOINCHAT', 'ONIMBOTDELETE', 'ONIMCOMMANDADD'],
  user: ['ONUSERADD'],
  department: crudEvents('ONDEPARTMENT'),
  calendar: crudEvents('ONCALENDARENTRY'),
  disk: ['ONDISKFILEADD', 'ONDISKFILEUPDATE', 'ONDISKFILEDELETE'],
  sale: ['ONSALEORDERSAVED', 'ONSALEBEFOREORDERDELETE'],
  bizproc: ['ONBIZPROCWORKFLOWSTATUSCHANGE'],
};

/** Events that cannot be bound offline (`disableOffline` on the server). */
export const ONLINE_ONLY_EVENTS: ReadonlySet<string> = new Set(['ONOFFLINEEVENT']);

/** The scope granting an event, if the portal knows the event. */
export function scopeOfEvent(eventName: string): string | undefined {
  for (const [scope, events] of Object.entries(EVENTS_BY_SCOPE)) if (events.includes(eventName)) return scope;
  return undefined;
}
