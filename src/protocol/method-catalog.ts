/**
 * The method catalog of `packs.md` as data: the methods the product must know, by pack, with their
 * base risk class and their page in the official REST docs (repository `bitrix24/b24restdocs`,
 * published at https://apidocs.bitrix24.com/). Parameter rules in `risk.ts` can only raise a class.
 * Keep it short: only frequent methods, high-risk writes explicit, every method linked to its docs.
 */

export type RiskClass = 'read' | 'write' | 'destructive';

export const packNames = [
  'core',
  'comms',
  'automation',
  'collab',
  'content',
  'boards',
  'commerce',
  'services',
  'platform',
  'sites',
  'compliance',
  'diagnostics',
] as const;

export type PackName = (typeof packNames)[number];

export interface CatalogEntry {
  /** The method name as the docs spell it (compare case-insensitively). */
  method: string;
  pack: PackName;
  /** Base class; `batch` is listed as read and takes the highest class of its commands. */
  risk: RiskClass;
  /** Path of the method's page inside `bitrix24/b24restdocs`. */
  docsPath: string;
  /** Anything a user must know before calling it. */
  note?: string;
}

type Letter = 'R' | 'W' | 'D';
type Row = readonly [method: string, risk: Letter, docsPath: string];

const riskByLetter = { R: 'read', W: 'write', D: 'destructive' } as const satisfies Record<Letter, RiskClass>;

const rowsByPack: Record<PackName, readonly Row[]> = {
  core: [
    ['user.current', 'R', 'api-reference/user/user-current.md'],
    ['user.get', 'R', 'api-reference/user/user-get.md'],
    ['department.get', 'R', 'api-reference/departments/department-get.md'],
    ['crm.lead.add', 'W', 'api-reference/crm/leads/crm-lead-add.md'],
    ['crm.lead.list', 'R', 'api-reference/crm/leads/crm-lead-list.md'],
    ['crm.lead.update', 'W', 'api-reference/crm/leads/crm-lead-update.md'],
    ['crm.deal.add', 'W', 'api-reference/crm/deals/crm-deal-add.md'],
    ['crm.deal.list', 'R', 'api-reference/crm/deals/crm-deal-list.md'],
    ['crm.deal.update', 'W', 'api-reference/crm/deals/crm-deal-update.md'],
    ['tasks.task.add', 'W', 'api-reference/tasks/tasks-task-add.md'],
    ['tasks.task.list', 'R', 'api-reference/tasks/tasks-task-list.md'],
    ['tasks.task.update', 'W', 'api-reference/tasks/tasks-task-update.md'],
    ['tasks.task.complete', 'W', 'api-reference/tasks/status/tasks-task-complete.md'],
    ['event.bind', 'W', 'api-reference/events/event-bind.md'],
    ['event.get', 'R', 'api-reference/events/event-get.md'],
    ['event.unbind', 'D', 'api-reference/events/event-unbind.md'],
    ['event.offline.list', 'R', 'api-reference/events/event-offline-list.md'],
    ['event.offline.get', 'R', 'api-reference/events/event-offline-get.md'],
    ['event.offline.clear', 'D', 'api-reference/events/event-offline-clear.md'],
    ['event.offline.error', 'W', 'api-reference/events/event-offline-error.md'],
    ['batch', 'R', 'settings/how-to-call-rest-api/batch.md'],
  ],
  comms: [
    ['im.message.add', 'W', 'api-reference/chats/messages/im-message-add.md'],
    ['im.message.update', 'W', 'api-reference/chats/messages/im-message-update.md'],
    ['im.message.delete', 'D', 'api-reference/chats/messages/im-message-delete.md'],
    ['im.dialog.messages.get', 'R', 'api-reference/chats/messages/im-dialog-messages-get.md'],
    ['imbot.register', 'W', 'api-reference/chat-bots/outdated/bots/imbot-register.md'],
    ['imbot.bot.list', 'R', 'api-reference/chat-bots/outdated/bots/imbot-bot-list.md'],
    ['imbot.command.register', 'W', 'api-reference/chat-bots/outdated/commands/imbot-command-register.md'],
    ['imbot.command.answer', 'W', 'api-reference/chat-bots/outdated/commands/imbot-command-answer.md'],
    ['telephony.externalCall.register', 'W', 'api-reference/telephony/telephony-external-call-register.md'],
    ['telephony.externalCall.finish', 'W', 'api-reference/telephony/telephony-external-call-finish.md'],
    ['telephony.externalCall.attachRecord', 'W', 'api-reference/telephony/telephony-external-call-attach-record.md'],
    ['messageservice.sender.list', 'R', 'api-reference/messageservice/messageservice-sender-list.md'],
    ['imconnector.list', 'R', 'api-reference/imopenlines/imconnector/imconnector-list.md'],
    ['mailservice.list', 'R', 'api-reference/mailservice/mailservice-list.md'],
  ],
  automation: [
    ['bizproc.workflow.start', 'W', 'api-reference/bizproc/bizproc-workflow-start.md'],
    ['bizproc.workflow.terminate', 'D', 'api-reference/bizproc/bizproc-workflow-terminate.md'],
    ['bizproc.workflow.kill', 'D', 'api-reference/bizproc/bizproc-workflow-kill.md'],
    ['bizproc.workflow.instances', 'R', 'api-reference/bizproc/bizproc-workflow-instances.md'],
    ['bizproc.task.list', 'R', 'api-reference/bizproc/bizproc-task/bizproc-task-list.md'],
    ['bizproc.task.complete', 'W', 'api-reference/bizproc/bizproc-task/bizproc-task-complete.md'],
    ['bizproc.robot.list', 'R', 'api-reference/bizproc/bizproc-robot/bizproc-robot-list.md'],
    ['bizproc.robot.add', 'W', 'api-reference/bizproc/bizproc-robot/bizproc-robot-add.md'],
    ['bizproc.robot.update', 'W', 'api-reference/bizproc/bizproc-robot/bizproc-robot-update.md'],
    ['bizproc.workflow.template.list', 'R', 'api-reference/bizproc/template/bizproc-workflow-template-list.md'],
    ['bizproc.workflow.template.update', 'W', 'api-reference/bizproc/template/bizproc-workflow-template-update.md'],
  ],
  collab: [
    ['sonet_group.list', 'R', 'api-reference/sonet-group/socialnetwork-api-workgroup-list.md'],
    ['sonet_group.get', 'R', 'api-reference/sonet-group/sonet-group-get.md'],
    ['sonet_group.create', 'W', 'api-reference/sonet-group/sonet-group-create.md'],
    ['sonet_group.update', 'W', 'api-reference/sonet-group/sonet-group-update.md'],
    ['sonet_group.delete', 'D', 'api-reference/sonet-group/sonet-group-delete.md'],
    ['log.blogpost.add', 'W', 'api-reference/log/log-blogpost-add.md'],
    ['log.blogpost.get', 'R', 'api-reference/log/log-blogpost-get.md'],
    ['log.blogpost.update', 'W', 'api-reference/log/log-blogpost-update.md'],
    ['log.blogpost.delete', 'D', 'api-reference/log/log-blogpost-delete.md'],
    ['log.blogcomment.add', 'W', 'api-reference/log/blogcomment/log-blogcomment-add.md'],
    ['log.blogcomment.delete', 'D', 'api-reference/log/blogcomment/log-blogcomment-delete.md'],
  ],
  content: [
    ['disk.storage.getlist', 'R', 'api-reference/disk/storage/disk-storage-get-list.md'],
    ['disk.storage.getchildren', 'R', 'api-reference/disk/storage/disk-storage-get-children.md'],
    ['disk.folder.getchildren', 'R', 'api-reference/disk/folder/disk-folder-get-children.md'],
    ['disk.folder.addsubfolder', 'W', 'api-reference/disk/folder/disk-folder-add-subfolder.md'],
    ['disk.folder.uploadfile', 'W', 'api-reference/disk/folder/disk-folder-upload-file.md'],
    ['disk.file.get', 'R', 'api-reference/disk/file/disk-file-get.md'],
    ['disk.file.uploadversion', 'W', 'api-reference/disk/file/disk-file-upload-version.md'],
    ['disk.file.getVersions', 'R', 'api-reference/disk/file/disk-file-get-versions.md'],
    ['disk.file.copyto', 'W', 'api-reference/disk/file/disk-file-copy-to.md'],
    ['disk.file.moveto', 'W', 'api-reference/disk/file/disk-file-move-to.md'],
    ['disk.file.delete', 'D', 'api-reference/disk/file/disk-file-delete.md'],
    ['documentgenerator.document.add', 'W', 'api-reference/document-generator/document-generator-document-add.md'],
  ],
  boards: [
    ['tasks.api.scrum.sprint.list', 'R', 'api-reference/sonet-group/scrum/sprint/tasks-api-scrum-sprint-list.md'],
    ['tasks.api.scrum.sprint.add', 'W', 'api-reference/sonet-group/scrum/sprint/tasks-api-scrum-sprint-add.md'],
    ['tasks.api.scrum.sprint.start', 'W', 'api-reference/sonet-group/scrum/sprint/tasks-api-scrum-sprint-start.md'],
    ['tasks.api.scrum.sprint.complete', 'W', 'api-reference/sonet-group/scrum/sprint/tasks-api-scrum-sprint-complete.md'],
    ['tasks.api.scrum.kanban.getStages', 'R', 'api-reference/sonet-group/scrum/kanban/tasks-api-scrum-kanban-get-stages.md'],
    ['tasks.api.scrum.kanban.addTask', 'W', 'api-reference/sonet-group/scrum/kanban/tasks-api-scrum-kanban-add-task.md'],
    ['tasks.api.scrum.kanban.deleteTask', 'D', 'api-reference/sonet-group/scrum/kanban/tasks-api-scrum-kanban-delete-task.md'],
    ['tasks.api.scrum.epic.list', 'R', 'api-reference/sonet-group/scrum/epic/tasks-api-scrum-epic-list.md'],
    ['tasks.api.scrum.epic.add', 'W', 'api-reference/sonet-group/scrum/epic/tasks-api-scrum-epic-add.md'],
    ['tasks.api.scrum.backlog.add', 'W', 'api-reference/sonet-group/scrum/backlog/tasks-api-scrum-backlog-add.md'],
    ['tasks.api.scrum.backlog.get', 'R', 'api-reference/sonet-group/scrum/backlog/tasks-api-scrum-backlog-get.md'],
    ['tasks.api.scrum.sprint.get', 'R', 'api-reference/sonet-group/scrum/sprint/tasks-api-scrum-sprint-get.md'],
    ['tasks.api.scrum.task.get', 'R', 'api-reference/sonet-group/scrum/task/tasks-api-scrum-task-get.md'],
    ['tasks.api.scrum.task.update', 'W', 'api-reference/sonet-group/scrum/task/tasks-api-scrum-task-update.md'],
  ],
  commerce: [
    ['sale.order.list', 'R', 'api-reference/sale/order/sale-order-list.md'],
    ['sale.order.add', 'W', 'api-reference/sale/order/sale-order-add.md'],
    ['sale.order.update', 'W', 'api-reference/sale/order/sale-order-update.md'],
    ['sale.order.get', 'R', 'api-reference/sale/order/sale-order-get.md'],
    ['sale.payment.list', 'R', 'api-reference/sale/payment/sale-payment-list.md'],
    ['sale.payment.add', 'W', 'api-reference/sale/payment/sale-payment-add.md'],
    ['sale.delivery.getlist', 'R', 'api-reference/sale/delivery/delivery/sale-delivery-get-list.md'],
    ['sale.shipment.list', 'R', 'api-reference/sale/shipment/sale-shipment-list.md'],
    ['sale.shipment.add', 'W', 'api-reference/sale/shipment/sale-shipment-add.md'],
    ['sale.shipment.update', 'W', 'api-reference/sale/shipment/sale-shipment-update.md'],
    ['catalog.product.list', 'R', 'api-reference/catalog/product/catalog-product-list.md'],
    ['catalog.product.add', 'W', 'api-reference/catalog/product/catalog-product-add.md'],
    ['catalog.product.update', 'W', 'api-reference/catalog/product/catalog-product-update.md'],
    ['catalog.price.list', 'R', 'api-reference/catalog/price/catalog-price-list.md'],
    ['catalog.price.add', 'W', 'api-reference/catalog/price/catalog-price-add.md'],
    ['catalog.price.update', 'W', 'api-reference/catalog/price/catalog-price-update.md'],
  ],
  services: [
    ['booking.v1.booking.list', 'R', 'api-reference/booking/booking/booking-v1-booking-list.md'],
    ['booking.v1.booking.add', 'W', 'api-reference/booking/booking/booking-v1-booking-add.md'],
    ['booking.v1.booking.update', 'W', 'api-reference/booking/booking/booking-v1-booking-update.md'],
    ['booking.v1.resource.list', 'R', 'api-reference/booking/resource/booking-v1-resource-list.md'],
    ['calendar.event.get', 'R', 'api-reference/calendar/calendar-event/calendar-event-get.md'],
    ['calendar.event.add', 'W', 'api-reference/calendar/calendar-event/calendar-event-add.md'],
    ['calendar.event.update', 'W', 'api-reference/calendar/calendar-event/calendar-event-update.md'],
    ['calendar.section.get', 'R', 'api-reference/calendar/calendar-section-get.md'],
    ['timeman.status', 'R', 'api-reference/timeman/base/timeman-status.md'],
    ['timeman.open', 'W', 'api-reference/timeman/base/timeman-open.md'],
    ['timeman.close', 'W', 'api-reference/timeman/base/timeman-close.md'],
  ],
  platform: [
    ['ai.engine.list', 'R', 'api-reference/ai/ai-engine-list.md'],
    ['ai.engine.register', 'W', 'api-reference/ai/ai-engine-register.md'],
    ['ai.engine.unregister', 'D', 'api-reference/ai/ai-engine-unregister.md'],
    ['entity.get', 'R', 'api-reference/entity/entities/entity-get.md'],
    ['entity.add', 'W', 'api-reference/entity/entities/entity-add.md'],
    ['entity.update', 'W', 'api-reference/entity/entities/entity-update.md'],
    ['entity.item.get', 'R', 'api-reference/entity/items/entity-item-get.md'],
    ['entity.item.add', 'W', 'api-reference/entity/items/entity-item-add.md'],
    ['entity.item.update', 'W', 'api-reference/entity/items/entity-item-update.md'],
    ['biconnector.source.list', 'R', 'api-reference/biconnector/source/biconnector-source-list.md'],
    ['biconnector.source.add', 'W', 'api-reference/biconnector/source/biconnector-source-add.md'],
    ['biconnector.connector.list', 'R', 'api-reference/biconnector/connector/biconnector-connector-list.md'],
  ],
  sites: [
    ['landing.site.getList', 'R', 'api-reference/landing/site/landing-site-get-list.md'],
    ['landing.site.add', 'W', 'api-reference/landing/site/landing-site-add.md'],
    ['landing.site.update', 'W', 'api-reference/landing/site/landing-site-update.md'],
    ['landing.site.delete', 'D', 'api-reference/landing/site/landing-site-delete.md'],
    ['landing.landing.getList', 'R', 'api-reference/landing/page/methods/landing-landing-get-list.md'],
    ['landing.landing.add', 'W', 'api-reference/landing/page/methods/landing-landing-add.md'],
    ['landing.landing.update', 'W', 'api-reference/landing/page/methods/landing-landing-update.md'],
    ['landing.landing.delete', 'D', 'api-reference/landing/page/methods/landing-landing-delete.md'],
    ['landing.block.getList', 'R', 'api-reference/landing/block/methods/landing-block-get-list.md'],
    ['landing.block.addCard', 'W', 'api-reference/landing/block/methods/landing-block-add-card.md'],
  ],
  compliance: [
    ['userconsent.agreement.list', 'R', 'api-reference/user-consent/user-consent-agreement-list.md'],
    ['userconsent.agreement.text', 'R', 'api-reference/user-consent/user-consent-agreement-text.md'],
    ['userconsent.consent.add', 'W', 'api-reference/user-consent/user-consent-consent-add.md'],
    ['sign.b2e.personal.tail', 'R', 'api-reference/sign/sign-b2e-personal-tail.md'],
    ['sign.b2e.mysafe.tail', 'R', 'api-reference/sign/sign-b2e-mysafe-tail.md'],
  ],
  diagnostics: [
    ['method.get', 'R', 'api-reference/common/system/method-get.md'],
    ['methods', 'R', 'api-reference/common/system/methods.md'],
    ['events', 'R', 'api-reference/events/events.md'],
    ['scope', 'R', 'api-reference/common/system/scope.md'],
    ['feature.get', 'R', 'api-reference/common/system/feature-get.md'],
    ['server.time', 'R', 'api-reference/common/system/server-time.md'],
  ],
};

const notes: Readonly<Record<string, string>> = {
  batch: 'Takes the highest class of the commands inside it; a nested batch is refused.',
  'event.offline.get': 'Deletes the rows it returns unless clear=0: destructive without clear=0.',
  'sonet_group.list': 'No docs page under this name: sonet_group.get and socialnetwork.api.workgroup.list list groups.',
  'imbot.register': 'Chat bots v1 (the docs file it under outdated); v2 is imbot.v2.*.',
};

export const methodCatalog: readonly CatalogEntry[] = packNames.flatMap((pack) =>
  rowsByPack[pack].map(([method, letter, docsPath]): CatalogEntry => {
    const note = notes[method];
    return { method, pack, risk: riskByLetter[letter], docsPath, ...(note === undefined ? {} : { note }) };
  }),
);

const entriesByLowerName = new Map(methodCatalog.map((entry) => [entry.method.toLowerCase(), entry]));

/** The catalog entry of a method, matched case-insensitively (the portal lowercases method names). */
export function findCatalogEntry(method: string): CatalogEntry | undefined {
  return entriesByLowerName.get(method.trim().toLowerCase());
}

/** The published page of a catalog entry. */
export function docsUrl(entry: Pick<CatalogEntry, 'docsPath'>): string {
  return `https://apidocs.bitrix24.com/${entry.docsPath.replace(/\.md$/, '.html')}`;
}
