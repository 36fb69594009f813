/**
 * `im.message.add` and the notification methods `im.notify`, `im.notify.personal.add`,
 * `im.notify.system.add` (protocol.md §9): they return the new id; messages and notifications are
 * kept on the portal (`portal.messages`, `portal.notifications`) so tests can see what was sent.
 */
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';
import { toFlag } from '../crm/crm-values.ts';

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function addMessage(call: MethodCall): MethodResult {
  const dialogId = textOf(param(call, 'DIALOG_ID')).trim();
  if (dialogId === '') throw new RestError('USER_ID_EMPTY', 'Recipient identifier is not specified when sending a message in a one-on-one chat');
  const chat = /^(chat|sg)(.*)$/i.exec(dialogId);
  if (chat) {
    if (positiveInteger(chat[2]) === undefined)
      throw new RestError('CHAT_ID_EMPTY', 'Recipient chat identifier is not specified when sending a message in a chat');
  } else {
    const userId = positiveInteger(dialogId);
    if (userId === undefined) throw new RestError('USER_ID_EMPTY', 'Recipient identifier is not specified when sending a message in a one-on-one chat');
    if (!call.portal.users.has(userId)) throw new RestError('USER_NOT_FOUND', 'User not found');
  }
  const message = textOf(param(call, 'MESSAGE'));
  const attach = param(call, 'ATTACH');
  if (message.trim() === '' && (attach === undefined || attach === '')) throw new RestError('MESSAGE_EMPTY', "Message can't be empty");
  const table = call.portal.messages;
  const id = table.allocateId();
  table.insert(id, {
    ID: id,
    DIALOG_ID: dialogId,
    AUTHOR_ID: call.auth.userId,
    MESSAGE: message,
    SYSTEM: toFlag(param(call, 'SYSTEM')),
    DATE: call.nowMs,
    ...(attach === undefined ? {} : { ATTACH: attach }),
    ...(param(call, 'KEYBOARD') === undefined ? {} : { KEYBOARD: param(call, 'KEYBOARD') }),
  });
  return { result: id };
}

function notify(type: 'USER' | 'SYSTEM' | 'PARAM') {
  return (call: MethodCall): MethodResult => {
    const userId = positiveInteger(param(call, 'USER_ID'));
    if (userId === undefined) throw new RestError('USER_ID_EMPTY', "User ID can't be empty");
    if (!call.portal.users.has(userId)) throw new RestError('USER_NOT_FOUND', 'User not found');
    const message = textOf(param(call, 'MESSAGE'));
    if (message.trim() === '') throw new RestError('MESSAGE_EMPTY', "Message can't be empty");
    const resolvedType = type === 'PARAM' ? (textOf(param(call, 'TYPE')).toUpperCase() === 'SYSTEM' ? 'SYSTEM' : 'USER') : type;
    const table = call.portal.notifications;
    const id = table.allocateId();
    table.insert(id, {
      ID: id,
      USER_ID: userId,
      AUTHOR_ID: resolvedType === 'SYSTEM' ? 0 : call.auth.userId,
      TYPE: resolvedType,
      MESSAGE: message,
      MESSAGE_OUT: textOf(param(call, 'MESSAGE_OUT')),
      TAG: textOf(param(call, 'TAG')),
      SUB_TAG: textOf(param(call, 'SUB_TAG')),
      DATE: call.nowMs,
    });
    return { result: id };
  };
}

export function imMethods(): MethodSpec[] {
  return [
    { name: 'im.message.add', scope: 'im', kind: 'write', handler: addMessage },
    { name: 'im.notify', scope: 'im', kind: 'write', handler: notify('PARAM') },
    { name: 'im.notify.personal.add', scope: 'im', kind: 'write', handler: notify('USER') },
    { name: 'im.notify.system.add', scope: 'im', kind: 'write', handler: notify('SYSTEM') },
  ];
}
