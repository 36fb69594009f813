import type { MethodSpec } from '../types.ts';
import { crmActivityMethods } from './crm/crm-activity-methods.ts';
import { crmContactBindingMethods } from './crm/crm-contact-binding-methods.ts';
import { crmItemMethods } from './crm/crm-item-methods.ts';
import { crmLegacyMethods } from './crm/crm-legacy-methods.ts';
import { crmStatusMethods } from './crm/crm-status-methods.ts';
import { crmTypeMethods } from './crm/crm-type-methods.ts';
import { imDialogMethods } from './comms/im-dialog-methods.ts';
import { imbotMethods } from './comms/imbot-methods.ts';
import { telephonyMethods } from './comms/telephony-methods.ts';
import { blogMethods } from './collab/blog-methods.ts';
import { sonetGroupMethods } from './collab/sonet-group-methods.ts';
import { diskMethods } from './content/disk-methods.ts';
import { bizprocMethods } from './automation/bizproc-workflow-methods.ts';
import { bizprocRobotMethods } from './automation/bizproc-robot-methods.ts';
import { scrumMethods } from './boards/scrum-methods.ts';
import { eventBindMethods } from './events/event-bind-methods.ts';
import { offlineEventMethods } from './events/offline-event-methods.ts';
import { imMethods } from './im/im-methods.ts';
import { aiEngineMethods } from './library/ai-engine-methods.ts';
import { biconnectorMethods } from './library/biconnector-methods.ts';
import { bookingMethods } from './library/booking-methods.ts';
import { calendarMethods } from './library/calendar-methods.ts';
import { commerceMethods } from './library/commerce-methods.ts';
import { complianceMethods } from './library/compliance-methods.ts';
import { entityMethods } from './library/entity-methods.ts';
import { sitesMethods } from './library/sites-methods.ts';
import { timemanMethods } from './library/timeman-methods.ts';
import { systemMethods } from './system/system-methods.ts';
import { taskMethods } from './tasks/task-methods.ts';
import { userMethods } from './users/user-methods.ts';

/** Every method the emulator serves, by lower-case name. Families register here. */
export function buildMethodTable(): Map<string, MethodSpec> {
  const table = new Map<string, MethodSpec>();
  const families: MethodSpec[][] = [
    crmLegacyMethods(),
    crmItemMethods(),
    crmStatusMethods(),
    crmTypeMethods(),
    crmContactBindingMethods(),
    crmActivityMethods(),
    taskMethods(),
    imMethods(),
    userMethods(),
    eventBindMethods(),
    offlineEventMethods(),
    imbotMethods(),
    telephonyMethods(),
    imDialogMethods(),
    sonetGroupMethods(),
    blogMethods(),
    diskMethods(),
    bizprocMethods(),
    bizprocRobotMethods(),
    scrumMethods(),
    // Chain-library families.
    commerceMethods(),
    bookingMethods(),
    calendarMethods(),
    timemanMethods(),
    entityMethods(),
    biconnectorMethods(),
    aiEngineMethods(),
    sitesMethods(),
    complianceMethods(),
    // Reads the table itself (methods, method.get), so it sees every family, including later ones.
    systemMethods(table),
  ];
  for (const family of families) for (const spec of family) table.set(spec.name, spec);
  return table;
}
