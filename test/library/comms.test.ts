import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import {
  applicationCall,
  applicationCredentials,
  executed,
  libraryChain,
  portalCall,
  runChain,
  runChainCommand,
  startLibraryEmulator,
  validateChains,
  webhookCredentials,
  webhookWithout,
} from './helpers/library-harness.ts';

const crmChatNotify = libraryChain('comms', 'crm-chat-notify.yml');
const dealChatNotify = libraryChain('comms', 'handlers/deal-chat-notify.yml');
const chatBotCommands = libraryChain('comms', 'chat-bot-commands.yml');
const botCommandAnswer = libraryChain('comms', 'handlers/bot-command-answer.yml');
const callRecord = libraryChain('comms', 'call-record.yml');

interface DialogMessage {
  id: number;
  author_id: number;
  text: string;
}

async function dialog(emulator: EmulatorProcess, dialogId: string): Promise<DialogMessage[]> {
  const result = (await portalCall(emulator, 'im.dialog.messages.get', { DIALOG_ID: dialogId, LIMIT: 50 })) as { messages: DialogMessage[] };
  return result.messages;
}

describe('chains/comms', () => {
  let emulator: EmulatorProcess;
  before(async () => {
    emulator = await startLibraryEmulator();
  });
  after(() => emulator.stop());

  it('validates every chain and handler, reporting its scopes and writes', async () => {
    const { code, reports } = await validateChains(crmChatNotify, dealChatNotify, chatBotCommands, botCommandAnswer, callRecord);
    assert.equal(code, 0);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.writes, report.destructive]),
      [
        [true, ['basic'], ['event.bind'], []],
        [true, ['crm', 'im'], ['im.message.add'], []],
        [true, ['imbot'], ['imbot.register', 'imbot.command.register'], []],
        [true, ['im', 'imbot'], ['imbot.command.answer'], []],
        [true, ['telephony'], ['telephony.externalCall.register', 'telephony.externalCall.finish', 'telephony.externalCall.attachRecord'], []],
      ],
    );
  });

  it('crm-chat-notify: binds the deal event once; the worker posts one message per change, never twice', async () => {
    const refused = await runChain(crmChatNotify, applicationCredentials(emulator));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.deepEqual(await applicationCall(emulator, 'event.get'), []);

    for (const attempt of [1, 2]) {
      const run = await runChain(crmChatNotify, applicationCredentials(emulator), '--confirm-write');
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.report?.outputs?.bound_now, attempt === 1);
    }
    assert.deepEqual(await applicationCall(emulator, 'event.get'), [{ event: 'ONCRMDEALUPDATE', connector_id: '', offline: 1 }]);

    const dealId = (await portalCall(emulator, 'crm.deal.add', { fields: { TITLE: 'Rollout', OPPORTUNITY: 1200, CURRENCY_ID: 'USD' } })) as number;
    await portalCall(emulator, 'crm.deal.update', { id: dealId, fields: { STAGE_ID: 'PREPARATION' } });
    const worker = await runChainCommand(
      ['worker', '--handler', dealChatNotify, '--once', '--confirm-write', '--input', 'dialog_id=chat7', '--poll-interval', '10ms'],
      applicationCredentials(emulator),
    );
    assert.equal(worker.code, 0, worker.stdout + worker.stderr);
    const posted = await dialog(emulator, 'chat7');
    assert.equal(posted.length, 1);
    assert.match(posted[0]?.text ?? '', /Deal \[b\]Rollout\[\/b\] changed: stage PREPARATION, amount 1200.00 USD\nref: deal \d+ @ /);

    // The same queue row delivered again (at least once): the reference line stops a second message.
    const reference = /ref: deal (\d+) @ (.*)$/.exec(posted[0]?.text ?? '');
    const row = {
      ID: 99,
      EVENT_NAME: 'ONCRMDEALUPDATE',
      EVENT_DATA: { FIELDS: { ID: Number(reference?.[1]) } },
      MESSAGE_ID: 'x'.repeat(32),
      TIMESTAMP_X: reference?.[2],
    };
    const again = await runChain(
      dealChatNotify,
      applicationCredentials(emulator),
      '--confirm-write',
      '--input',
      'dialog_id=chat7',
      '--input',
      `events=${JSON.stringify([row])}`,
    );
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal((await dialog(emulator, 'chat7')).length, 1);
  });

  it('chat-bot-commands + bot-command-answer: one bot, one command, one answer per command message', async () => {
    const refused = await runChain(chatBotCommands, applicationCredentials(emulator));
    assert.equal(refused.code, 2);
    assert.deepEqual(await applicationCall(emulator, 'imbot.bot.list'), []);

    const withoutImbot = await webhookWithout(emulator, 'imbot');
    const noScope = await runChain(chatBotCommands, withoutImbot, '--confirm-write', '--input', 'client_id=hook1');
    assert.equal(noScope.code, 2, noScope.stdout + noScope.stderr);
    assert.match(noScope.stdout + noScope.stderr, /imbot/);
    assert.equal(await executed(emulator, 'imbot.register'), 0);

    const first = await runChain(chatBotCommands, applicationCredentials(emulator), '--confirm-write');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const botId = Number(first.report?.outputs?.bot_id);
    assert.ok(botId > 1);
    assert.ok(Number(first.report?.outputs?.command_id) > 0);
    const second = await runChain(chatBotCommands, applicationCredentials(emulator), '--confirm-write');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.report?.outputs?.registered_now, false);
    assert.equal(Number(second.report?.outputs?.bot_id), botId);
    const bots = (await applicationCall(emulator, 'imbot.bot.list')) as Record<string, { CODE: string }>;
    assert.deepEqual(
      Object.values(bots).map((bot) => bot.CODE),
      ['b24chain_helper'],
    );
    assert.equal(await executed(emulator, 'imbot.command.register'), 1);

    const messageId = (await portalCall(emulator, 'im.message.add', { DIALOG_ID: 'chat9', MESSAGE: '/status 42' })) as number;
    const event = {
      ID: 1,
      EVENT_NAME: 'ONIMCOMMANDADD',
      EVENT_DATA: {
        COMMAND: {
          [String(first.report?.outputs?.command_id)]: {
            BOT_ID: botId,
            COMMAND: 'status',
            COMMAND_ID: Number(first.report?.outputs?.command_id),
            COMMAND_PARAMS: '42',
            MESSAGE_ID: messageId,
          },
        },
        PARAMS: { DIALOG_ID: 'chat9', MESSAGE_ID: messageId, FROM_USER_ID: 1 },
      },
      MESSAGE_ID: 'y'.repeat(32),
      TIMESTAMP_X: '2026-11-27T10:00:00+00:00',
    };
    for (const attempt of [1, 2]) {
      const run = await runChain(botCommandAnswer, applicationCredentials(emulator), '--confirm-write', '--input', `events=${JSON.stringify([event])}`);
      assert.equal(run.code, 0, `attempt ${attempt}: ${run.stdout}${run.stderr}`);
    }
    const messages = await dialog(emulator, 'chat9');
    assert.deepEqual(
      messages.map((message) => [message.author_id, message.text]),
      [
        [botId, 'Received /status 42'],
        [1, '/status 42'],
      ],
    );
  });

  it('call-record: registers, finishes and attaches once per EXTERNAL_CALL_ID, and needs an application', async () => {
    const inputs = [
      '--input',
      'external_call_id=pbx-18441',
      '--input',
      'phone=+15550100',
      '--input',
      'duration=95',
      '--input',
      'record_url=https://pbx.example.com/rec/18441.mp3',
    ];
    const refused = await runChain(callRecord, applicationCredentials(emulator), ...inputs);
    assert.equal(refused.code, 2);
    assert.equal(await executed(emulator, 'telephony.externalCall.register'), 0);

    const first = await runChain(callRecord, applicationCredentials(emulator), '--confirm-write', ...inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const callId = String(first.report?.outputs?.call_id);
    assert.match(callId, /^externalCall\./);
    assert.ok(Number(first.report?.outputs?.record_file_id) > 0);
    const second = await runChain(callRecord, applicationCredentials(emulator), '--confirm-write', ...inputs);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.report?.outputs?.call_id, callId);
    const finished = (await applicationCall(emulator, 'telephony.externalCall.finish', { CALL_ID: callId, USER_ID: 1, DURATION: 1 })) as Record<
      string,
      unknown
    >;
    assert.equal(finished.CALL_DURATION, 95);
    assert.equal(finished.CALL_RECORD_URL, 'https://pbx.example.com/rec/18441.mp3');

    const byWebhook = await runChain(callRecord, webhookCredentials(emulator), '--confirm-write', ...inputs);
    assert.equal(byWebhook.code, 1);
    assert.match(byWebhook.stdout, /WRONG_AUTH_TYPE/);
  });
});
