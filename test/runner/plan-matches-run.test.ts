/**
 * A plan counts what the run sends: for every bundled chain and every valid fixture (with the inputs
 * they need), the writes `chain plan` counts, per method, equal the write commands the portal
 * executed during `chain run --confirm-write` on a fresh portal with the same seed (and the same records
 * made first: a scrum sprint, a disk folder, a site...), through the connection the chain needs (a
 * webhook, or the installed application for event.*, bizproc.robot.*, telephony.*, imbot.*, entity.*,
 * sign.b2e.*). Every chain that can write is made to write in at least one case. Most cases go through
 * the library (the same `planChain`/`runChain` the CLI calls), a few through the real CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateChainFile, type ChainSummary } from '../../src/chain/index.ts';
import { B24Client } from '../../src/client/index.ts';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { planChain } from '../../src/runner/plan-chain.ts';
import { runChain } from '../../src/runner/run-chain.ts';
import { RunStore } from '../../src/store/index.ts';
import type { PortalClient } from '../../src/client/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { callMethod } from '../helpers/portal-reader.ts';
import { runCli, webhookEnv } from '../helpers/run-cli.ts';
import { emulatorClient } from '../helpers/run-in-process.ts';

function chainFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return chainFiles(path);
    return name.endsWith('.yml') ? [path] : [];
  });
}

/** Offline-queue rows as the worker hands them to a handler (lead ids of the demo seed). */
function leadEvents(ids: number[], name = 'ONCRMLEADADD'): Array<Record<string, unknown>> {
  return ids.map((id, index) => ({
    ID: String(100 + index),
    EVENT_NAME: name,
    EVENT_DATA: { FIELDS: { ID: id } },
    MESSAGE_ID: String(index).padStart(32, 'a'),
    TIMESTAMP_X: '2026-11-27T10:00:00+00:00',
  }));
}

/** The inputs each chain is exercised with; a file not named here runs once with its defaults. */
const inputCases: Record<string, Array<Record<string, unknown>>> = {
  'chains/core/lead-to-deal.yml': [{}, { status: 'NEW' }, { status: 'PROCESSED' }, { status: 'JUNK' }, { status: 'NO_SUCH_STATUS' }],
  'chains/core/lead-intake.yml': [
    { title: 'Website request', name: 'Anna', email: 'anna@example.com', score: 70 },
    { title: 'Call back', phone: '+1 555 0100', owner_id: 2, comment: 'Morning' },
    { title: 'Both keys', email: ' Mixed@Example.COM ', phone: '+1 555 0101' },
  ],
  'chains/core/event-bootstrap.yml': [{}, { events: ['ONCRMDEALADD'] }, { events: [], auth_connector: 'sync' }],
  'chains/core/handlers/lead-contact-sync.yml': [
    { events: leadEvents([1, 2, 3]) },
    { events: [] },
    { events: leadEvents([5]) },
    { events: leadEvents([7, 7, 8]), originator: 'other-sync' },
    { events: leadEvents(Array.from({ length: 40 }, (_, index) => index + 1)) },
  ],
  'chains/core/task-handoff.yml': [
    { title: 'Planned on v3', deadline: '2026-12-31T18:00:00+00:00' },
    { title: 'Planned on v2', deadline: '2026-12-31T18:00:00+00:00', api: 2 },
  ],
  'test/fixtures/chains/valid/all-step-kinds.yml': [
    {},
    { notify: true },
    { status: 'IN_PROCESS', notify: true },
    { status: 'PROCESSED' },
    { status: 'JUNK', notify: true },
    { status: 'NONE' },
  ],
};

/** The fresh portal a case starts from: calls as the webhook user and as the installed application. */
interface Portal {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  callAsApp(method: string, params?: Record<string, unknown>): Promise<unknown>;
}

interface Case {
  file: string;
  inputs: Record<string, unknown>;
  /** Records made on the fresh portal before the plan and before the run alike; returns more inputs (the ids made). */
  given?: {
    label: string;
    // biome-ignore lint/suspicious/noConfusingVoidType: a setup that makes no inputs returns nothing
    setup(portal: Portal): Promise<Record<string, unknown> | void>;
  };
}

/** Chains whose methods only an installed application may call (event.*, bizproc.robot.*, telephony.*, imbot.*, entity.*, sign.b2e.*). */
const applicationChains = new Set([
  'chains/automation/robot-rollout.yml',
  'chains/comms/call-record.yml',
  'chains/comms/chat-bot-commands.yml',
  'chains/comms/handlers/bot-command-answer.yml',
  'chains/compliance/consent-capture.yml',
  'chains/compliance/signed-docs-tail.yml',
  'chains/platform/custom-storage.yml',
]);

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** A scrum project with two backlog tasks (1 story point each) and an epic. */
async function scrumProject(portal: Portal): Promise<{ group_id: number; task_ids: number[] }> {
  const groupId = (await portal.call('sonet_group.create', { NAME: 'Team Scrum', PROJECT: 'Y', SCRUM_MASTER_ID: 1 })) as number;
  const taskIds: number[] = [];
  for (const title of ['Login page', 'Password reset']) {
    const added = (await portal.call('tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: 1, GROUP_ID: groupId } })) as { task: { id: string } };
    taskIds.push(Number(added.task.id));
    await portal.call('tasks.api.scrum.task.update', { id: added.task.id, fields: { storyPoints: '1' } });
  }
  await portal.call('tasks.api.scrum.epic.add', { fields: { groupId, name: 'Accounts' } });
  return { group_id: groupId, task_ids: taskIds };
}

/** The scrum project with a sprint, started unless `planned`. */
async function scrumSprint(portal: Portal, planned = false): Promise<{ group_id: number; task_ids: number[]; sprint_id: number }> {
  const project = await scrumProject(portal);
  const sprint = (await portal.call('tasks.api.scrum.sprint.add', { fields: { groupId: project.group_id, name: 'Sprint 14', status: 'planned' } })) as {
    id: number;
  };
  if (!planned) await portal.call('tasks.api.scrum.sprint.start', { id: sprint.id });
  return { ...project, sprint_id: Number(sprint.id) };
}

async function diskRoot(portal: Portal): Promise<number> {
  const storages = (await portal.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as Array<{ ROOT_OBJECT_ID: string }>;
  return Number(storages[0]?.ROOT_OBJECT_ID);
}

async function diskFolder(portal: Portal, parentId: number, name: string): Promise<number> {
  return Number(((await portal.call('disk.folder.addsubfolder', { id: parentId, data: { NAME: name } })) as { ID: string }).ID);
}

async function diskUpload(portal: Portal, folderId: number, name: string, text: string): Promise<number> {
  return Number(
    ((await portal.call('disk.folder.uploadfile', { id: folderId, data: { NAME: name }, fileContent: [name, base64(text)] })) as { ID: string }).ID,
  );
}

/** A landing site `promo` with the pages `main`, `news` (published) and `old-offer`. */
async function promoSite(portal: Portal): Promise<{ site_id: number }> {
  const siteId = (await portal.call('landing.site.add', { fields: { TITLE: 'Spring promo', CODE: 'promo', TYPE: 'PAGE' } })) as number;
  const pages: Record<string, number> = {};
  for (const code of ['main', 'news', 'old-offer'])
    pages[code] = (await portal.call('landing.landing.add', { fields: { TITLE: code, CODE: code, SITE_ID: siteId } })) as number;
  await portal.call('landing.landing.publication', { lid: pages.news });
  return { site_id: siteId };
}

/** An offline-queue row about a deal. */
function dealEvent(dealId: number, name = 'ONCRMDEALUPDATE', index = 0): Record<string, unknown> {
  return {
    ID: String(200 + index),
    EVENT_NAME: name,
    EVENT_DATA: { FIELDS: { ID: dealId } },
    MESSAGE_ID: String(index).padStart(32, 'd'),
    TIMESTAMP_X: '2026-11-27T10:00:00+00:00',
  };
}

/** The inputs and the portal records each chain needs to write something (for the library: as in test/library/). */
const libraryCases: Record<string, Array<Omit<Case, 'file'>>> = {
  'chains/automation/handlers/deal-workflow-start.yml': [
    {
      inputs: {},
      given: {
        label: 'two changed deals',
        setup: async (portal) => {
          const deals = [
            (await portal.call('crm.deal.add', { fields: { TITLE: 'Needs approval' } })) as number,
            (await portal.call('crm.deal.add', { fields: { TITLE: 'Second' } })) as number,
          ];
          return { events: deals.map((id, index) => dealEvent(id, 'ONCRMDEALUPDATE', index)) };
        },
      },
    },
    {
      inputs: {},
      given: {
        label: 'the workflow of the first deal runs',
        setup: async (portal) => {
          const deals = [
            (await portal.call('crm.deal.add', { fields: { TITLE: 'Running' } })) as number,
            (await portal.call('crm.deal.add', { fields: { TITLE: 'Idle' } })) as number,
          ];
          await portal.call('bizproc.workflow.start', { TEMPLATE_ID: 1, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', `DEAL_${deals[0]}`] });
          return { events: deals.map((id, index) => dealEvent(id, 'ONCRMDEALUPDATE', index)) };
        },
      },
    },
  ],
  'chains/automation/robot-rollout.yml': [
    { inputs: {} },
    {
      inputs: { name: 'Notify v2' },
      given: {
        label: 'the robot exists',
        setup: async (portal) => {
          await portal.callAsApp('bizproc.robot.add', {
            CODE: 'b24chain_notify',
            HANDLER: 'https://example.com/b24chain/robot',
            AUTH_USER_ID: 1,
            NAME: 'Notify',
          });
        },
      },
    },
  ],
  'chains/automation/stop-workflows.yml': [
    { inputs: { template_id: 2, reason: 'Retired' }, given: { label: 'two workflows of template 2 run', setup: (portal) => leadWorkflows(portal) } },
    { inputs: { emergency: true }, given: { label: 'two workflows run', setup: (portal) => leadWorkflows(portal) } },
  ],
  'chains/boards/sprint-kickoff.yml': [
    { inputs: { name: 'Sprint 14' }, given: { label: 'a scrum project', setup: async (portal) => ({ group_id: (await scrumProject(portal)).group_id }) } },
    {
      inputs: { name: 'Sprint 14' },
      given: { label: 'the sprint is planned', setup: async (portal) => ({ group_id: (await scrumSprint(portal, true)).group_id }) },
    },
    { inputs: { name: 'Sprint 14' }, given: { label: 'the sprint is active', setup: async (portal) => ({ group_id: (await scrumSprint(portal)).group_id }) } },
  ],
  'chains/boards/backlog-to-sprint.yml': [
    { inputs: { story_points: '3' }, given: { label: 'an active sprint, two backlog tasks', setup: (portal) => scrumSprint(portal) } },
    { inputs: {}, given: { label: 'an active sprint, two backlog tasks', setup: (portal) => scrumSprint(portal) } },
  ],
  'chains/boards/sprint-completion.yml': [
    { inputs: {}, given: { label: 'an active sprint', setup: async (portal) => ({ sprint_id: (await scrumSprint(portal)).sprint_id }) } },
    { inputs: {}, given: { label: 'a planned sprint', setup: async (portal) => ({ sprint_id: (await scrumSprint(portal, true)).sprint_id }) } },
  ],
  'chains/collab/workgroup-provisioning.yml': [
    { inputs: { name: 'Project Apollo', external_key: 'JIRA-APOLLO', project: 'Y', description: 'Moon' } },
    {
      inputs: { name: 'Project Apollo', description: 'Moon and back' },
      given: { label: 'the group exists', setup: async (portal) => void (await portal.call('sonet_group.create', { NAME: 'Project Apollo', PROJECT: 'Y' })) },
    },
  ],
  'chains/collab/feed-post-lifecycle.yml': [
    { inputs: { title: 'Release 4.2', message: 'Notes' } },
    {
      inputs: { title: 'Release 4.2', message: 'Notes', status: 'released', comment: 'Deployed' },
      given: {
        label: 'the post exists',
        setup: async (portal) => void (await portal.call('log.blogpost.add', { POST_TITLE: 'Release 4.2', POST_MESSAGE: 'Notes\n\nStatus: open' })),
      },
    },
  ],
  'chains/collab/group-cleanup.yml': [
    {
      inputs: {},
      given: {
        label: 'a group without open tasks',
        setup: async (portal) => ({ group_id: (await portal.call('sonet_group.create', { NAME: 'Old team' })) as number }),
      },
    },
    { inputs: { group_id: 999_999 } },
  ],
  'chains/commerce/order-to-payment.yml': [
    { inputs: { xml_id: 'SHOP-1001', amount: 149.9, paid: true, comment: 'web shop' } },
    { inputs: { xml_id: 'SHOP-1002', amount: 20 } },
  ],
  'chains/commerce/product-price-sync.yml': [
    {
      inputs: {},
      given: {
        label: 'two products, one priced',
        setup: async (portal) => {
          const add = async (fields: Record<string, unknown>): Promise<number> =>
            ((await portal.call('catalog.product.add', { fields: { iblockId: 23, ...fields } })) as { element: { id: number } }).element.id;
          await add({ name: 'Desk', xmlId: 'SKU-1' });
          const chair = await add({ name: 'Chair', xmlId: 'SKU-2' });
          await portal.call('catalog.price.add', { fields: { productId: chair, catalogGroupId: 1, price: 50, currency: 'USD' } });
          return {
            rows: [
              { xml_id: 'SKU-1', name: 'Desk Pro', price: 120 },
              { xml_id: 'SKU-2', name: 'Chair', price: 55 },
              { xml_id: 'SKU-9', price: 1 },
            ],
          };
        },
      },
    },
  ],
  'chains/commerce/delivery-assignment.yml': [
    { inputs: { delivery: 'Courier' }, given: { label: 'an order', setup: (portal) => shopOrder(portal) } },
    {
      inputs: { delivery: 'pickup' },
      given: {
        label: 'an order shipped by courier',
        setup: async (portal) => {
          const order = await shopOrder(portal);
          const services = (await portal.call('sale.delivery.getlist', { SELECT: ['ID', 'CODE', 'NAME'] })) as Array<{
            ID: number;
            CODE: string;
            NAME: string;
          }>;
          const courier = services.find((service) => service.NAME === 'Courier' || service.CODE === 'courier');
          await portal.call('sale.shipment.add', { fields: { orderId: order.order_id, deliveryId: courier?.ID, allowDelivery: 'Y', deducted: 'N' } });
          return order;
        },
      },
    },
  ],
  'chains/comms/call-record.yml': [
    { inputs: { external_call_id: 'pbx-18441', phone: '+15550100', duration: 95, record_url: 'https://pbx.example.com/rec/18441.mp3' } },
  ],
  'chains/comms/handlers/deal-chat-notify.yml': [
    {
      inputs: { dialog_id: 'chat7' },
      given: {
        label: 'a changed deal',
        setup: async (portal) => {
          const dealId = (await portal.call('crm.deal.add', { fields: { TITLE: 'Rollout', OPPORTUNITY: 1200, CURRENCY_ID: 'USD' } })) as number;
          return { events: [dealEvent(dealId)] };
        },
      },
    },
    {
      inputs: { dialog_id: 'chat7' },
      given: {
        label: 'its message was posted',
        setup: async (portal) => {
          const dealId = (await portal.call('crm.deal.add', { fields: { TITLE: 'Rollout' } })) as number;
          const event = dealEvent(dealId);
          await portal.call('im.message.add', { DIALOG_ID: 'chat7', MESSAGE: `Deal changed\nref: deal ${dealId} @ ${String(event.TIMESTAMP_X)}` });
          return { events: [event, dealEvent(dealId, 'ONCRMDEALUPDATE', 1)] };
        },
      },
    },
  ],
  'chains/comms/handlers/bot-command-answer.yml': [
    {
      inputs: {},
      given: {
        label: 'a bot command message',
        setup: async (portal) => {
          const botId = Number(
            await portal.callAsApp('imbot.register', {
              CODE: 'b24chain_helper',
              TYPE: 'B',
              EVENT_HANDLER: 'https://example.com/b24chain/bot',
              PROPERTIES: { NAME: 'Helper' },
            }),
          );
          const commandId = Number(
            await portal.callAsApp('imbot.command.register', {
              BOT_ID: botId,
              COMMAND: 'status',
              EVENT_COMMAND_ADD: 'https://example.com/b24chain/bot',
              LANG: [{ LANGUAGE_ID: 'en', TITLE: 'Status' }],
            }),
          );
          const messageId = (await portal.call('im.message.add', { DIALOG_ID: 'chat9', MESSAGE: '/status 42' })) as number;
          const event = {
            ID: 1,
            EVENT_NAME: 'ONIMCOMMANDADD',
            EVENT_DATA: {
              COMMAND: { [String(commandId)]: { BOT_ID: botId, COMMAND: 'status', COMMAND_ID: commandId, COMMAND_PARAMS: '42', MESSAGE_ID: messageId } },
              PARAMS: { DIALOG_ID: 'chat9', MESSAGE_ID: messageId, FROM_USER_ID: 1 },
            },
            MESSAGE_ID: 'y'.repeat(32),
            TIMESTAMP_X: '2026-11-27T10:00:00+00:00',
          };
          return { events: [event] };
        },
      },
    },
  ],
  'chains/compliance/consent-capture.yml': [
    { inputs: { agreement: 'Personal data processing', ip: '203.0.113.7', origin: 'contact_form', originator: 'anna@example.com', company_name: 'ACME Ltd' } },
  ],
  'chains/content/upload-to-folder.yml': [
    {
      inputs: { file_name: 'contract-17.pdf', content_base64: base64('%PDF-1.7 contract') },
      given: {
        label: 'a folder and a deal',
        setup: async (portal) => ({
          folder_id: await diskFolder(portal, await diskRoot(portal), 'Contracts'),
          deal_id: (await portal.call('crm.deal.add', { fields: { TITLE: 'Contract 17' } })) as number,
        }),
      },
    },
    {
      inputs: { file_name: 'contract-17.pdf', content_base64: base64('%PDF-1.7 contract') },
      given: {
        label: 'the file is there',
        setup: async (portal) => {
          const folderId = await diskFolder(portal, await diskRoot(portal), 'Contracts');
          await diskUpload(portal, folderId, 'contract-17.pdf', '%PDF-1.7 contract');
          return { folder_id: folderId, deal_id: (await portal.call('crm.deal.add', { fields: { TITLE: 'Contract 17' } })) as number };
        },
      },
    },
  ],
  'chains/content/replace-version.yml': [
    {
      inputs: { expected_version: 1, content_base64: base64('a,1\nb,2') },
      given: { label: 'a file in version 1', setup: async (portal) => ({ file_id: await diskUpload(portal, await diskRoot(portal), 'prices.csv', 'a,1') }) },
    },
    {
      inputs: { expected_version: 2, content_base64: base64('a,1\nb,2') },
      given: { label: 'a file in version 1', setup: async (portal) => ({ file_id: await diskUpload(portal, await diskRoot(portal), 'prices.csv', 'a,1') }) },
    },
  ],
  'chains/content/move-and-archive.yml': [
    { inputs: { file_name: 'report.pdf', delete_original: true }, given: { label: 'a file and three folders', setup: (portal) => archiveFolders(portal) } },
    { inputs: { file_name: 'report.pdf' }, given: { label: 'a file and three folders', setup: (portal) => archiveFolders(portal) } },
  ],
  'chains/platform/ai-engine.yml': [
    {
      inputs: { code: 'acme_gpt', name: 'ACME GPT', completions_url: 'https://ai.example.test/v2', retire: ['acme_v1', 'gone'] },
      given: {
        label: 'a retired engine',
        setup: async (portal) =>
          void (await portal.call('ai.engine.register', { name: 'ACME v1', code: 'acme_v1', category: 'text', completions_url: 'https://ai.example.test/v1' })),
      },
    },
  ],
  'chains/platform/biconnector-source.yml': [{ inputs: { connector_id: 1, title: 'Warehouse stock', settings: { apiKey: 'k-123' } } }],
  'chains/platform/custom-storage.yml': [
    {
      inputs: {
        entity: 'syncstate',
        records: [
          { code: 'last-export', name: 'Last export', value: '2026-11-27T10:00:00Z' },
          { code: 'cursor', value: 42 },
        ],
      },
    },
  ],
  'chains/services/booking-lifecycle.yml': [{ inputs: { resource: 'Meeting room', name: 'Demo for ACME', start: '2026-12-01T10:00:00Z', minutes: 45 } }],
  'chains/services/calendar-event.yml': [{ inputs: { owner_id: 2, name: 'Quarterly review', start: '2026-12-02T14:00:00Z', minutes: 90 } }],
  'chains/services/workday.yml': [
    { inputs: { user_id: 3, action: 'open' } },
    {
      inputs: { user_id: 3, action: 'close', report: 'Done' },
      given: { label: 'the day is open', setup: async (portal) => void (await portal.call('timeman.open', { USER_ID: 3 })) },
    },
  ],
  'chains/sites/site-bootstrap.yml': [{ inputs: { site_code: 'promo', site_title: 'Spring promo', page_title: 'Spring offers' } }],
  'chains/sites/content-update.yml': [
    {
      inputs: {
        site_code: 'promo',
        pages: [
          { code: 'main', title: 'Summer offers', description: 'Up to 30% off' },
          { code: 'news', title: 'news' },
          { code: 'missing', title: 'x' },
        ],
      },
      given: { label: 'the site and its pages', setup: (portal) => promoSite(portal) },
    },
  ],
  'test/fixtures/chains/valid/task-copy-batch.yml': [2, 3].map((api) => ({
    inputs: { api },
    given: {
      label: `a task to copy (api ${api})`,
      setup: async (portal) => {
        const added = (await portal.call('tasks.task.add', { fields: { TITLE: 'To copy', RESPONSIBLE_ID: 2, CREATED_BY: 1 } })) as { task: { id: string } };
        return { task_id: Number(added.task.id) };
      },
    },
  })),
  'test/fixtures/chains/valid/all-step-kinds.yml': [
    {
      inputs: { status: 'IN_PROCESS', notify: true },
      given: {
        label: 'two leads with an amount, owned by the webhook user',
        setup: async (portal) => {
          const me = (await portal.call('user.current')) as { ID: string };
          for (const title of ['Big', 'Bigger'])
            await portal.call('crm.lead.add', { fields: { TITLE: title, STATUS_ID: 'IN_PROCESS', ASSIGNED_BY_ID: Number(me.ID), OPPORTUNITY: 500 } });
        },
      },
    },
  ],
  'chains/sites/site-cleanup.yml': [
    { inputs: { site_code: 'promo', page_codes: ['old-offer', 'main'] }, given: { label: 'the site and its pages', setup: (portal) => promoSite(portal) } },
    {
      inputs: { site_code: 'promo', delete_site: true, allow_published: true },
      given: { label: 'the site and its pages', setup: (portal) => promoSite(portal) },
    },
  ],
};

async function leadWorkflows(portal: Portal): Promise<void> {
  for (const title of ['A', 'B']) {
    const leadId = (await portal.call('crm.lead.add', { fields: { TITLE: title } })) as number;
    await portal.call('bizproc.workflow.start', { TEMPLATE_ID: 2, DOCUMENT_ID: ['crm', 'CCrmDocumentLead', `LEAD_${leadId}`] });
  }
}

async function shopOrder(portal: Portal): Promise<{ order_id: number }> {
  const { order } = (await portal.call('sale.order.add', { fields: { lid: 's1', personTypeId: 1, currency: 'USD', xmlId: 'SHOP-2001' } })) as {
    order: { id: number };
  };
  return { order_id: order.id };
}

async function archiveFolders(portal: Portal): Promise<Record<string, number>> {
  const root = await diskRoot(portal);
  const [work, archive, backup] = [await diskFolder(portal, root, 'Work'), await diskFolder(portal, root, 'Archive'), await diskFolder(portal, root, 'Backup')];
  await diskUpload(portal, work, 'report.pdf', 'report');
  return { source_folder_id: work, archive_folder_id: archive, backup_folder_id: backup };
}

const files = [...chainFiles('chains'), ...chainFiles('test/fixtures/chains/valid')].sort();
const cases: Case[] = [
  ...files.flatMap((file) => [
    ...(inputCases[file] ?? (libraryCases[file] ? [] : [{}])).map((inputs) => ({ file, inputs })),
    ...(libraryCases[file] ?? []).map((spec) => ({ file, ...spec })),
  ]),
  // Reads inside a for_each decide writes: the lead whose contact exists gets none, in the plan too.
  {
    file: 'chains/core/handlers/lead-contact-sync.yml',
    inputs: { events: leadEvents([1, 2, 3]) },
    given: {
      label: 'the contact of lead 2 exists',
      setup: async (portal) =>
        void (await portal.call('crm.contact.add', { fields: { NAME: 'Known', ORIGINATOR_ID: 'b24chain-events', ORIGIN_ID: 'lead-2' } })),
    },
  },
  {
    file: 'chains/core/lead-intake.yml',
    inputs: { title: 'Again', email: 'anna@example.com' },
    given: {
      label: 'the lead exists',
      setup: async (portal) =>
        void (await portal.call('crm.lead.add', { fields: { TITLE: 'First', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'intake:anna@example.com' } })),
    },
  },
];

/** Executions of the chain's write methods, from the portal's statistics (which name methods in lower case). */
function writesSent(methods: Record<string, number>, summary: ChainSummary): Record<string, number> {
  const writeMethods = new Set([...summary.writes, ...summary.destructive].map((use) => use.method.toLowerCase()));
  return Object.fromEntries(
    Object.entries(methods)
      .filter(([method, count]) => writeMethods.has(method.toLowerCase()) && count > 0)
      .map(([method, count]) => [method.toLowerCase(), count] as const)
      .sort(),
  );
}

function writesPlanned(counts: Array<{ method: string; count: number }>): Record<string, number> {
  const byMethod: Record<string, number> = {};
  for (const entry of counts) byMethod[entry.method.toLowerCase()] = (byMethod[entry.method.toLowerCase()] ?? 0) + entry.count;
  return Object.fromEntries(
    Object.entries(byMethod)
      .filter(([, count]) => count > 0)
      .sort(),
  );
}

/** Calls that make a case's records, failing loudly on a REST error. */
function portal(emulator: RunningEmulator): Portal {
  return {
    async call(method, params = {}) {
      const answer = await callMethod(emulator.webhookUrl, method, params);
      assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer)}`);
      return answer.result;
    },
    async callAsApp(method, params = {}) {
      const response = await fetch(`${emulator.url}/rest/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...params, auth: emulator.app.accessToken }),
      });
      const answer = (await response.json()) as { result?: unknown; error?: string };
      assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer)}`);
      return answer.result;
    },
  };
}

function applicationClient(emulator: RunningEmulator): { client: PortalClient; close(): Promise<void> } {
  const env = {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'oauth',
    B24_ACCESS_TOKEN: emulator.app.accessToken,
    B24_REFRESH_TOKEN: emulator.app.refreshToken,
    B24_CLIENT_ID: emulator.app.clientId,
    B24_CLIENT_SECRET: emulator.app.clientSecret,
    B24_OAUTH_URL: emulator.app.serverEndpoint,
    B24_RATE_LIMITER: 'memory',
    B24_RATE_LIMITER_RATE: '1000',
    B24_RATE_LIMITER_BURST: '1000',
  };
  const b24 = new B24Client({ connection: resolveConnection({ env }) });
  return { client: b24, close: () => b24.close() };
}

let emulator: RunningEmulator;
before(async () => {
  emulator = await startEmulator({ seed: 'demo', rate: 1000, burst: 1000 });
});
after(async () => emulator.close());

describe('the writes a plan counts are the writes the run sends (library: planChain, runChain)', () => {
  it('covers every bundled chain and every valid fixture', () => {
    assert.ok(files.includes('chains/core/lead-to-deal.yml') && files.includes('chains/core/handlers/lead-contact-sync.yml'));
    assert.ok(files.includes('test/fixtures/chains/valid/for-each-one-object.yml'));
    assert.ok(cases.length >= 25, `${cases.length} cases`);
  });

  /** The chains some case made write: every chain that can write must, or its counts prove nothing. */
  const filesThatWrote = new Set<string>();
  for (const { file, inputs, given } of cases) {
    it(`${file} ${describeInputs(inputs)}${given ? `, ${given.label}` : ''}`, async () => {
      const report = await validateChainFile(file);
      assert.ok(report.valid && report.chain, file);
      const chain = report.chain;
      const application =
        applicationChains.has(file) ||
        report.summary.writes.concat(report.summary.destructive).some((use) => use.method.startsWith('event.')) ||
        file.includes('event-');
      const connect = (): { client: PortalClient; close(): Promise<void> } => (application ? applicationClient(emulator) : emulatorClient(emulator));
      /** A fresh portal (and the given records); returns the chain's inputs and the write counts from then on. */
      const prepare = async (): Promise<{ inputs: Record<string, unknown>; writesSince(): Promise<Record<string, number>> }> => {
        await emulator.reset();
        const made = given ? await given.setup(portal(emulator)) : undefined;
        const before = writesSent((await emulator.stats()).methods, report.summary);
        return {
          inputs: { ...defaultsOf(chain), ...inputs, ...(made ?? {}) },
          writesSince: async () => {
            const now = writesSent((await emulator.stats()).methods, report.summary);
            return Object.fromEntries(
              Object.entries(now)
                .map(([method, count]) => [method, count - (before[method] ?? 0)])
                .filter(([, count]) => count !== 0),
            );
          },
        };
      };

      const beforePlan = await prepare();
      const planning = connect();
      let planned: Record<string, number>;
      let plannedKeys: Record<string, string[]>;
      try {
        const draft = await planChain({ chain, inputs: beforePlan.inputs, client: planning.client });
        planned = writesPlanned(draft.counts);
        plannedKeys = draft.itemKeys;
      } finally {
        await planning.close();
      }
      assert.deepEqual(await beforePlan.writesSince(), {}, 'the plan wrote nothing');

      const beforeRun = await prepare();
      assert.deepEqual(beforeRun.inputs, beforePlan.inputs, 'the fresh portal gave the same records both times');
      const running = connect();
      const store = new RunStore(openStateDatabase(':memory:'));
      try {
        const outcome = await runChain({
          chain,
          chainPath: file,
          chainSha256: report.sha256,
          summary: report.summary,
          inputs: beforeRun.inputs,
          client: running.client,
          store,
          confirmWrite: true,
          confirmDestructive: true,
        });
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        const sent = await beforeRun.writesSince();
        assert.deepEqual(sent, planned, 'writes sent by the run, per method, against the plan');
        if (Object.keys(sent).length > 0) filesThatWrote.add(file);
        // The items the run wrote for are the items the plan listed.
        for (const [stepId, keys] of Object.entries(plannedKeys)) {
          const touched = store.countItems(outcome.run.id)[stepId] ?? {};
          const written = Object.entries(touched)
            .filter(([status]) => status !== 'not_planned')
            .reduce((sum, [, count]) => sum + count, 0);
          assert.ok(written <= keys.length, `${stepId}: ${written} items recorded, ${keys.length} planned`);
        }
      } finally {
        await running.close();
      }
    });
  }

  it('made every chain that has writes send some', async () => {
    const silent: string[] = [];
    for (const file of files) {
      const report = await validateChainFile(file);
      if (report.summary.writes.length + report.summary.destructive.length > 0 && !filesThatWrote.has(file)) silent.push(file);
    }
    assert.deepEqual(silent, []);
  });
});

/** Short test names: an array of rows is shown by its length. */
function describeInputs(inputs: Record<string, unknown>): string {
  return Object.entries(inputs)
    .map(([name, value]) => `${name}=${Array.isArray(value) && typeof value[0] === 'object' ? `[${value.length} rows]` : JSON.stringify(value)}`)
    .join(' ');
}

function defaultsOf(chain: { inputs: Array<{ name: string; default?: unknown }> }): Record<string, unknown> {
  return Object.fromEntries(chain.inputs.flatMap((input) => (input.default === undefined ? [] : [[input.name, input.default]])));
}

describe('the writes a plan counts are the writes the run sends (the real CLI)', () => {
  const cliCases: Array<{ file: string; inputs: string[]; expected: Record<string, number> }> = [
    { file: 'test/fixtures/chains/valid/for-each-one-object.yml', inputs: [], expected: { 'crm.timeline.comment.add': 1, 'tasks.task.add': 1 } },
    { file: 'chains/core/lead-to-deal.yml', inputs: ['status=NEW'], expected: { 'crm.contact.add': 10, 'crm.deal.add': 10, 'crm.lead.update': 10 } },
    { file: 'chains/core/handlers/lead-contact-sync.yml', inputs: [`events=${JSON.stringify(leadEvents([4, 9]))}`], expected: { 'crm.contact.add': 2 } },
    { file: 'chains/core/lead-intake.yml', inputs: ['title=Website request', 'email=anna@example.com'], expected: { 'crm.lead.add': 1, 'crm.lead.update': 1 } },
  ];
  for (const { file, inputs, expected } of cliCases) {
    it(`${file} ${inputs.map((assignment) => assignment.slice(0, 40)).join(' ')}`, async () => {
      const report = await validateChainFile(file);
      assert.ok(report.valid);
      const inputFlags = inputs.flatMap((assignment) => ['--input', assignment]);
      const env = webhookEnv(emulator, join(mkdtempSync(join(tmpdir(), 'b24chain-plan-run-')), 'state.db'));

      await emulator.reset();
      const planned = await runCli(['plan', file, ...inputFlags, '--json'], env);
      assert.equal(planned.code, 0, planned.stderr);
      const plan = JSON.parse(planned.stdout) as { writes: Array<{ method: string; count: number }> };
      assert.deepEqual(writesPlanned(plan.writes), expected, 'plan');
      assert.deepEqual(writesSent((await emulator.stats()).methods, report.summary), {}, 'the plan wrote nothing');

      await emulator.reset();
      const ran = await runCli(['run', file, ...inputFlags, '--confirm-write', '--json'], env);
      assert.equal(ran.code, 0, ran.stderr + ran.stdout);
      assert.deepEqual(writesSent((await emulator.stats()).methods, report.summary), expected, 'run');
    });
  }
});

describe('a plan stops where the run stops (the real CLI)', () => {
  it('a failed assert: both exit 1 with ASSERTION_FAILED, and neither writes', async () => {
    const env = webhookEnv(emulator, join(mkdtempSync(join(tmpdir(), 'b24chain-plan-assert-')), 'state.db'));
    await emulator.reset();
    const planned = await runCli(['plan', 'chains/core/lead-intake.yml', '--input', 'title=No key', '--json'], env);
    assert.equal(planned.code, 1, planned.stderr + planned.stdout);
    assert.equal((JSON.parse(planned.stdout) as { errors: Array<{ code: string }> }).errors[0]?.code, 'ASSERTION_FAILED');
    const ran = await runCli(['run', 'chains/core/lead-intake.yml', '--input', 'title=No key', '--confirm-write', '--json'], env);
    assert.equal(ran.code, 1, ran.stderr + ran.stdout);
    assert.equal((JSON.parse(ran.stdout) as { errors: Array<{ code: string }> }).errors[0]?.code, 'ASSERTION_FAILED');
    const stats = await emulator.stats();
    assert.equal((stats.methods['crm.lead.add'] ?? 0) + (stats.methods['crm.lead.update'] ?? 0), 0);
  });
});

describe('what a plan cannot know, it shows (library: planChain)', () => {
  it("a write made from an earlier write's result is counted with that parameter shown unknown; the read it feeds is not sent", async () => {
    await emulator.reset();
    const { group_id: groupId } = await scrumProject(portal(emulator));
    const report = await validateChainFile('chains/boards/sprint-kickoff.yml');
    assert.ok(report.valid && report.chain);
    const before = (await emulator.stats()).methods;
    const planning = emulatorClient(emulator);
    try {
      const draft = await planChain({
        chain: report.chain,
        inputs: { ...defaultsOf(report.chain), group_id: groupId, name: 'Sprint 15' },
        client: planning.client,
      });
      const start = draft.counts.find((entry) => entry.step === 'start');
      assert.equal(start?.count, 1, 'the new sprint is planned, so it is started');
      assert.deepEqual(start?.samples[0]?.params, {
        id: '<unknown: ${{ $exists(steps.sprint.result) ? steps.sprint.result.id : steps.sprints.items[0].id }}>',
      });
    } finally {
      await planning.close();
    }
    const after = (await emulator.stats()).methods;
    const asked = (methods: Record<string, number>, name: string): number =>
      Object.entries(methods).reduce((sum, [method, count]) => sum + (method.toLowerCase() === name ? count : 0), 0);
    assert.ok(asked(after, 'tasks.api.scrum.sprint.list') > asked(before, 'tasks.api.scrum.sprint.list'), 'the reads ran');
    assert.equal(
      asked(after, 'tasks.api.scrum.kanban.getstages') - asked(before, 'tasks.api.scrum.kanban.getstages'),
      0,
      'the stages of a sprint not made yet are not asked for',
    );
  });
});
