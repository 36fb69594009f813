/**
 * `im.dialog.messages.get` (scope `im`): the latest messages of a dialog, newest first, as
 * `{chat_id, messages: [{id, chat_id, author_id, date, text, params}], users, files}`; LIMIT up to 50
 * (default 20), LAST_ID pages back, FIRST_ID forward.
 */
import { phpIsoDate } from '../../envelope.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

function dialogMessages(call: MethodCall): MethodResult {
  const dialogId = textOf(pickParamAnyCase(call.params, 'DIALOG_ID')).trim();
  if (dialogId === '') throw new RestError('DIALOG_ID_EMPTY', "Dialog ID can't be empty");
  const limit = Math.min(50, positiveInteger(pickParamAnyCase(call.params, 'LIMIT')) ?? 20);
  const lastId = positiveInteger(pickParamAnyCase(call.params, 'LAST_ID'));
  const firstId = positiveInteger(pickParamAnyCase(call.params, 'FIRST_ID'));
  const chat = /^chat(\d+)$/i.exec(dialogId);
  const chatId = chat ? Number(chat[1]) : 0;
  let rows = [...call.portal.messages.values()].filter((message) => message.DIALOG_ID.toLowerCase() === dialogId.toLowerCase());
  if (lastId !== undefined) rows = rows.filter((message) => message.ID < lastId);
  if (firstId !== undefined) rows = rows.filter((message) => message.ID > firstId).slice(0, limit);
  else rows = rows.slice(-limit);
  const messages = rows.reverse().map((message) => ({
    id: message.ID,
    chat_id: chatId,
    author_id: message.AUTHOR_ID,
    date: phpIsoDate(message.DATE),
    text: message.MESSAGE,
    params: message.ATTACH === undefined ? [] : { ATTACH: message.ATTACH },
  }));
  return { result: { chat_id: chatId, messages, users: [], files: [] } };
}

export function imDialogMethods(): MethodSpec[] {
  return [{ name: 'im.dialog.messages.get', scope: 'im', kind: 'read', handler: dialogMessages }];
}
