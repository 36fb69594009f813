/**
 * One `/rest/...` request, end to end: faults, auth, the leaky bucket, dispatch (`batch` or a single
 * method), the simulated execution time, and the envelope with the real statuses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildTimeInfo, errorBody, successBody } from './envelope.ts';
import { executeCommand, budgetKey, refuse } from './execute-command.ts';
import { readBodyOr413, sendHtml, sendJson, sendJsonText } from './http-io.ts';
import { commandsOfParams, readBatchCommands } from './read-batch-commands.ts';
import { decodeRequestParams } from './request-params.ts';
import { parseRestPath, resolveAuth, withoutAuthParams } from './resolve-auth.ts';
import { runBatch } from './run-batch.ts';
import { countInto, countRequest, type EmulatorStats } from './stats.ts';
import { RestError } from './types.ts';
import { applyTransportFault, pause } from './apply-transport-fault.ts';
import type { EmulatorCore } from './emulator-core.ts';
import type { PortalSite } from './portal-site.ts';

/** Codes whose status the docs and the measured portal disagree on (options.authErrorStatus). */
const AUTH_STATUS_CONFLICT = new Set(['INVALID_CREDENTIALS', 'insufficient_scope']);

function answerError(core: EmulatorCore, stats: EmulatorStats, response: ServerResponse, error: RestError): void {
  const status = AUTH_STATUS_CONFLICT.has(error.code) && core.options.authErrorStatus === 'documented' ? 403 : error.status;
  countInto(stats.statuses, String(status));
  sendJson(response, status, errorBody(error.code, error.description, error.extra));
}

/** `url` is the path inside the portal (`site`'s prefix removed); credentials of another portal are refused as wrong ones. */
export async function handleRest(
  core: EmulatorCore,
  site: PortalSite,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  plainHttp: boolean,
): Promise<void> {
  const { options } = core;
  const { stats } = site;
  const environment = core.environmentFor(site);
  const requestStartMs = options.clock.now();
  countRequest(stats, requestStartMs);
  const body = await readBodyOr413(request, response, stats.statuses);
  if (body === undefined) return;
  const path = parseRestPath(url.pathname);
  if (path instanceof RestError) {
    refuse(stats, path);
    answerError(core, stats, response, path);
    return;
  }

  const answer500 = (answer: ServerResponse): void => sendJson(answer, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
  const fault = await applyTransportFault(core, stats, request, response, path.method, answer500);
  if (fault === undefined) return;
  if (fault.garbage) {
    countInto(stats.statuses, '200');
    sendHtml(response, 200, 'Maintenance');
    return;
  }

  // The portal resolves the method before it authenticates: an unknown method is 404 whatever the credentials.
  if (path.method !== 'batch' && !core.methods.has(path.method)) {
    const error = new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404);
    refuse(stats, error);
    answerError(core, stats, response, error);
    return;
  }

  const params = decodeRequestParams(url.search, request.headers['content-type'], body);
  const resolution = resolveAuth(
    core.registry,
    path,
    params,
    request.headers.authorization,
    requestStartMs,
    plainHttp,
    options.requireHttpsForWebhooks,
    (portal) => core.siteOf(portal) === site,
  );
  if ('error' in resolution) {
    refuse(stats, resolution.error);
    answerError(core, stats, response, resolution.error);
    return;
  }
  const { auth } = resolution;
  if (!core.bucketFor(auth.portal).admit(options.clock.now())) {
    const error = new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503);
    refuse(stats, error);
    answerError(core, stats, response, error);
    return;
  }

  const methodParams = withoutAuthParams(params);
  const status = 200;
  let payloadText: string;
  let seconds: number;
  if (path.method === 'batch') {
    const measured = options.batchCharging === 'measured';
    if (measured && core.budget.isBlocked(budgetKey(auth, 'batch'), requestStartMs)) {
      const error = new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429);
      refuse(stats, error);
      answerError(core, stats, response, error);
      return;
    }
    countInto(stats.methods, 'batch');
    const commands = readBatchCommands(url.search, request.headers['content-type'], body) ?? commandsOfParams(methodParams);
    const batch = runBatch(environment, methodParams, commands, auth, requestStartMs);
    seconds = batch.seconds;
    const time = buildTimeInfo(requestStartMs, requestStartMs + seconds * 1000, seconds, batch.operating);
    payloadText = `{"result":${batch.json},"time":${JSON.stringify(time)}}`;
  } else {
    const outcome = executeCommand(environment, path.method, methodParams, auth, true);
    if (!outcome.ok) {
      answerError(core, stats, response, outcome.error);
      return;
    }
    seconds = outcome.seconds;
    payloadText = JSON.stringify(
      successBody(outcome.result, buildTimeInfo(requestStartMs, requestStartMs + seconds * 1000, seconds, outcome.operating), outcome.total, outcome.next),
    );
  }

  await pause(seconds * 1000);
  if (fault.drop === 'after') {
    stats.droppedConnections += 1;
    request.socket.destroy();
    return;
  }
  countInto(stats.statuses, String(status));
  sendJsonText(response, status, payloadText, { 'X-Bitrix-Rest-Time': String(seconds) });
}
