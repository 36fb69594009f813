/**
 * Chat bots v1 (`imbot.*`, scope `imbot`; docs api-reference/chat-bots/outdated): `imbot.register`
 * (CODE unique on the portal, the handlers of ONIMBOTMESSAGEADD / ONIMBOTJOINCHAT / ONIMBOTDELETE
 * required, PROPERTIES.NAME or LAST_NAME), `imbot.bot.list` (an object keyed by bot id),
 * `imbot.command.register` (one COMMAND per bot; there is no command list method, so a chain keys
 * commands by bot) and `imbot.command.answer` (a message from the bot into the dialog of the command's
 * message). A webhook names its application with
 * CLIENT_ID; an application is known by its token.
 */
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, isPlainObject, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

const BOTS = 'imbot.bot';
const COMMANDS = 'imbot.command';

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

/** The application a bot belongs to: the OAuth client, or the CLIENT_ID a webhook passes. */
function clientOf(call: MethodCall): string {
  if (call.auth.type === 'oauth' && call.auth.appId !== undefined) return call.auth.appId;
  const clientId = textOf(param(call, 'CLIENT_ID')).trim();
  if (clientId === '') throw new RestError('ACCESS_DENIED', 'Access denied! Client ID not specified', 403);
  return `webhook:${clientId}`;
}

function isUrl(value: string): boolean {
  return /^https?:\/\/[^\s/]+/i.test(value);
}

function handlerParam(call: MethodCall, name: string, required: boolean, code: string, label: string): string {
  const common = textOf(param(call, 'EVENT_HANDLER')).trim();
  const value = textOf(param(call, name)).trim() || common;
  if (value === '') {
    if (required) throw new RestError(code, `Handler for "${label}" event isn't specified`);
    return '';
  }
  if (!isUrl(value)) throw new RestError(code, 'Wrong handler URL');
  return value;
}

function register(call: MethodCall): MethodResult {
  const client = clientOf(call);
  const code = textOf(param(call, 'CODE')).trim();
  if (code === '') throw new RestError('CODE_ERROR', "Bot code isn't specified");
  const messageAdd = handlerParam(call, 'EVENT_MESSAGE_ADD', true, 'EVENT_MESSAGE_ADD_ERROR', 'Message add');
  const welcome = handlerParam(call, 'EVENT_WELCOME_MESSAGE', true, 'EVENT_WELCOME_MESSAGE_ERROR', 'Welcome message');
  const botDelete = handlerParam(call, 'EVENT_BOT_DELETE', true, 'EVENT_BOT_DELETE_ERROR', 'Bot delete');
  const properties = asPhpArray(param(call, 'PROPERTIES')) ?? {};
  const name = textOf(properties.NAME).trim();
  const lastName = textOf(properties.LAST_NAME).trim();
  if (name === '' && lastName === '') throw new RestError('NAME_ERROR', "Bot name isn't specified");
  const table = call.portal.genericTable(BOTS);
  const bots = [...table.values()];
  if (bots.some((bot) => bot.CODE === code)) throw new RestError('WRONG_REQUEST', "Bot can't be created");
  if (bots.filter((bot) => bot.APP_ID === client).length >= 5)
    throw new RestError('MAX_COUNT_ERROR', 'Has reached the maximum number of bots for application (max: 5)');
  const type = textOf(param(call, 'TYPE')).toUpperCase() || 'B';
  if (!['B', 'O', 'H', 'S'].includes(type)) throw new RestError('WRONG_REQUEST', "Bot can't be created");
  // A bot is a user of the portal: its id comes from the users' sequence.
  const id = Math.max(0, ...call.portal.users.keys(), ...[...table.values()].map((bot) => bot.ID)) + 1;
  table.insert(id, {
    ID: id,
    CODE: code,
    TYPE: type,
    OPENLINE: type === 'O' ? 'Y' : textOf(param(call, 'OPENLINE')).toUpperCase() === 'Y' ? 'Y' : 'N',
    NAME: name,
    LAST_NAME: lastName,
    WORK_POSITION: textOf(properties.WORK_POSITION),
    APP_ID: client,
    EVENT_MESSAGE_ADD: messageAdd,
    EVENT_WELCOME_MESSAGE: welcome,
    EVENT_BOT_DELETE: botDelete,
  });
  return { result: id };
}

function listBots(call: MethodCall): MethodResult {
  const result: Record<string, unknown> = {};
  for (const bot of call.portal.genericTable(BOTS).values()) {
    result[String(bot.ID)] = { ID: bot.ID, NAME: [bot.NAME, bot.LAST_NAME].filter((part) => part !== '').join(' '), CODE: bot.CODE, OPENLINE: bot.OPENLINE };
  }
  // PHP encodes an empty array as [].
  return { result: Object.keys(result).length === 0 ? [] : result };
}

function ownBot(call: MethodCall): GenericRecord {
  const client = clientOf(call);
  const botId = positiveInteger(param(call, 'BOT_ID'));
  const bot = botId === undefined ? undefined : call.portal.genericTable(BOTS).get(botId);
  if (!bot) throw new RestError('BOT_ID_ERROR', 'Bot not found');
  if (bot.APP_ID !== client) throw new RestError('APP_ID_ERROR', 'Bot was installed by another REST application');
  return bot;
}

function registerCommand(call: MethodCall): MethodResult {
  const bot = ownBot(call);
  const command = textOf(param(call, 'COMMAND')).trim();
  if (command === '') throw new RestError('COMMAND_ERROR', "Command isn't specified");
  const handler = textOf(param(call, 'EVENT_COMMAND_ADD')).trim();
  if (handler === '') throw new RestError('EVENT_COMMAND_ADD_ERROR', 'Handler for "Command add" event isn\'t specified');
  if (!isUrl(handler)) throw new RestError('EVENT_COMMAND_ADD_ERROR', 'Wrong handler URL');
  const lang = param(call, 'LANG');
  const languages = Array.isArray(lang) ? lang : isPlainObject(lang) ? Object.values(lang) : [];
  if (languages.length === 0) throw new RestError('LANG_ERROR', "Lang set can't be empty");
  const table = call.portal.genericTable(COMMANDS);
  if ([...table.values()].some((row) => row.BOT_ID === bot.ID && row.COMMAND === command.toLowerCase())) {
    throw new RestError('WRONG_REQUEST', "Command can't be created");
  }
  const id = table.allocateId();
  table.insert(id, {
    ID: id,
    BOT_ID: bot.ID,
    APP_ID: bot.APP_ID,
    COMMAND: command.toLowerCase(),
    COMMON: textOf(param(call, 'COMMON')).toUpperCase() === 'Y' ? 'Y' : 'N',
    HIDDEN: textOf(param(call, 'HIDDEN')).toUpperCase() === 'Y' ? 'Y' : 'N',
    EXTRANET_SUPPORT: textOf(param(call, 'EXTRANET_SUPPORT')).toUpperCase() === 'Y' ? 'Y' : 'N',
    LANG: languages,
    EVENT_COMMAND_ADD: handler,
  });
  return { result: id };
}

function answerCommand(call: MethodCall): MethodResult {
  const commands = call.portal.genericTable(COMMANDS);
  const commandId = positiveInteger(param(call, 'COMMAND_ID'));
  const commandName = textOf(param(call, 'COMMAND')).trim().toLowerCase();
  const client = clientOf(call);
  const command =
    commandId !== undefined ? commands.get(commandId) : [...commands.values()].find((row) => row.COMMAND === commandName && row.APP_ID === client);
  if (!command) throw new RestError('COMMAND_ID_ERROR', 'Command not found');
  if (command.APP_ID !== client) throw new RestError('APP_ID_ERROR', 'You can answer only to your own commands');
  const messageId = positiveInteger(param(call, 'MESSAGE_ID'));
  const original = messageId === undefined ? undefined : call.portal.messages.get(messageId);
  if (!original) throw new RestError('MESSAGE_ID_ERROR', 'Message not found');
  const message = textOf(param(call, 'MESSAGE'));
  const attach = param(call, 'ATTACH');
  if (message.trim() === '' && (attach === undefined || attach === '')) throw new RestError('MESSAGE_EMPTY', "Message can't be empty");
  const id = call.portal.messages.allocateId();
  call.portal.messages.insert(id, {
    ID: id,
    DIALOG_ID: original.DIALOG_ID,
    AUTHOR_ID: Number(command.BOT_ID),
    MESSAGE: message,
    SYSTEM: textOf(param(call, 'SYSTEM')).toUpperCase() === 'Y' ? 'Y' : 'N',
    DATE: call.nowMs,
    ...(attach === undefined ? {} : { ATTACH: attach }),
    ...(param(call, 'KEYBOARD') === undefined ? {} : { KEYBOARD: param(call, 'KEYBOARD') }),
  });
  return { result: id };
}

export function imbotMethods(): MethodSpec[] {
  return [
    { name: 'imbot.register', scope: 'imbot', kind: 'write', handler: register },
    { name: 'imbot.bot.list', scope: 'imbot', kind: 'read', handler: listBots },
    { name: 'imbot.command.register', scope: 'imbot', kind: 'write', handler: registerCommand },
    { name: 'imbot.command.answer', scope: 'imbot', kind: 'write', handler: answerCommand },
  ];
}
