/**
 * The news feed (`log.blogpost.*`, `log.blogcomment.*`, scope `log`; docs api-reference/log):
 * `log.blogpost.add` (POST_MESSAGE required, POST_TITLE, DEST defaulting to all employees `UA`)
 * answers the post id, `update` the post id, `delete` true; `log.blogpost.get` lists the posts the
 * user can read, newest first, string values, paged by `start` (POST_ID filters one);
 * `log.blogcomment.add` (POST_ID, TEXT) answers the comment id and counts it in NUM_COMMENTS.
 */
import { phpDate } from './collab-dates.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asList, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';
import { readStart } from '../../list/parse-list-params.ts';

const POSTS = 'log.blogpost';
const COMMENTS = 'log.blogcomment';
const PAGE = 50;

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function destinations(call: MethodCall, fallback: string[]): string[] {
  const raw = param(call, 'DEST');
  if (raw === undefined) return fallback;
  const list = asList(raw)
    .map((value) => textOf(value).trim())
    .filter((value) => value !== '');
  for (const code of list) {
    if (!/^(UA|G2|U\d+|SG\d+|DR?\d+)$/.test(code)) throw new RestError('ERROR_CORE', `Wrong destination: ${code}`);
    const group = /^SG(\d+)$/.exec(code);
    if (group && !call.portal.genericTable('sonet_group').get(Number(group[1]))) throw new RestError('ERROR_CORE', `Socialnetwork group not found: ${code}`);
  }
  return list.length === 0 ? fallback : list;
}

function addPost(call: MethodCall): MethodResult {
  const message = textOf(param(call, 'POST_MESSAGE'));
  if (message.trim() === '') throw new RestError('ERROR_CORE', 'No message specified');
  const dest = destinations(call, ['UA']);
  const table = call.portal.genericTable(POSTS);
  const id = table.allocateId();
  table.insert(id, {
    ID: id,
    BLOG_ID: 1,
    PUBLISH_STATUS: 'P',
    TITLE: textOf(param(call, 'POST_TITLE')),
    AUTHOR_ID: positiveInteger(param(call, 'USER_ID')) ?? call.auth.userId,
    ENABLE_COMMENTS: 'Y',
    NUM_COMMENTS: 0,
    CODE: null,
    MICRO: textOf(param(call, 'POST_TITLE')) === '' ? 'Y' : 'N',
    DETAIL_TEXT: message,
    DATE_PUBLISH: phpDate(call.nowMs),
    CATEGORY_ID: '',
    DEST: dest,
  });
  return { result: id };
}

function findPost(call: MethodCall): GenericRecord {
  const id = positiveInteger(param(call, 'POST_ID'));
  if (id === undefined) throw new RestError('ERROR_CORE', 'Wrong post ID');
  const post = call.portal.genericTable(POSTS).get(id);
  if (!post) throw new RestError('ERROR_CORE', 'Blog post not found');
  return post;
}

function updatePost(call: MethodCall): MethodResult {
  const post = findPost(call);
  if (post.AUTHOR_ID !== call.auth.userId && !call.auth.isAdmin) throw new RestError('ERROR_CORE', 'No write access to the blog post');
  const next: GenericRecord = { ...post };
  const message = param(call, 'POST_MESSAGE');
  if (message !== undefined) {
    if (textOf(message).trim() === '') throw new RestError('ERROR_CORE', 'No message specified');
    next.DETAIL_TEXT = textOf(message);
  }
  if (param(call, 'POST_TITLE') !== undefined) next.TITLE = textOf(param(call, 'POST_TITLE'));
  if (param(call, 'DEST') !== undefined) next.DEST = destinations(call, post.DEST as string[]);
  call.portal.genericTable(POSTS).insert(post.ID, next);
  return { result: post.ID };
}

function deletePost(call: MethodCall): MethodResult {
  const post = findPost(call);
  call.portal.genericTable(POSTS).delete(post.ID);
  return { result: true };
}

function renderPost(post: GenericRecord): Record<string, unknown> {
  const { DEST: _dest, ...rest } = post;
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, typeof value === 'number' ? String(value) : value]));
}

function getPosts(call: MethodCall): MethodResult {
  const only = positiveInteger(param(call, 'POST_ID'));
  const rows = [...call.portal.genericTable(POSTS).values()].filter((post) => only === undefined || post.ID === only).reverse();
  const start = Math.max(0, readStart(param(call, 'start')));
  const page = rows.slice(start, start + PAGE);
  const result: MethodResult = { result: page.map(renderPost), total: rows.length };
  if (start + PAGE < rows.length) result.next = start + PAGE;
  return result;
}

function addComment(call: MethodCall): MethodResult {
  const post = findPost(call);
  const text = textOf(param(call, 'TEXT'));
  if (text.trim() === '') throw new RestError('ERROR_CORE', 'No comment text specified');
  const table = call.portal.genericTable(COMMENTS);
  const id = table.allocateId();
  table.insert(id, {
    ID: id,
    POST_ID: post.ID,
    AUTHOR_ID: positiveInteger(param(call, 'USER_ID')) ?? call.auth.userId,
    POST_TEXT: text,
    DATE_CREATE: phpDate(call.nowMs),
  });
  call.portal.genericTable(POSTS).insert(post.ID, { ...post, NUM_COMMENTS: Number(post.NUM_COMMENTS) + 1 });
  return { result: id };
}

function deleteComment(call: MethodCall): MethodResult {
  const id = positiveInteger(param(call, 'COMMENT_ID'));
  const comment = id === undefined ? undefined : call.portal.genericTable(COMMENTS).get(id);
  if (!comment) throw new RestError('ERROR_CORE', 'Blog comment not found');
  call.portal.genericTable(COMMENTS).delete(comment.ID);
  const post = call.portal.genericTable(POSTS).get(Number(comment.POST_ID));
  if (post) call.portal.genericTable(POSTS).insert(post.ID, { ...post, NUM_COMMENTS: Math.max(0, Number(post.NUM_COMMENTS) - 1) });
  return { result: true };
}

export function blogMethods(): MethodSpec[] {
  return [
    { name: 'log.blogpost.add', scope: 'log', kind: 'write', handler: addPost },
    { name: 'log.blogpost.update', scope: 'log', kind: 'write', handler: updatePost },
    { name: 'log.blogpost.delete', scope: 'log', kind: 'write', handler: deletePost },
    { name: 'log.blogpost.get', scope: 'log', kind: 'read', handler: getPosts },
    { name: 'log.blogcomment.add', scope: 'log', kind: 'write', handler: addComment },
    { name: 'log.blogcomment.delete', scope: 'log', kind: 'write', handler: deleteComment },
  ];
}
